"""Skill dependency resolution: one version per skill, the highest every constraint on it allows.

The agent's `skills:` list is the root; each chosen skill version adds the requirements it
declares. The search is a depth-first backtracking search over skill names in breadth-first
order from the roots, trying each name's allowed versions from the highest down, so the first
complete assignment found is the highest one in that order of priority. The number of
versions tried is bounded (`max_steps`): a pathological input fails with
`ResolutionTooComplex` instead of hanging.

What a constraint allows (DESIGN §2):
- a range (`^1.2`, `>=1.0 <2`): every non-yanked version it satisfies;
- an exact version (`1.4.0`) or a digest: that one version, even when yanked;
- `latest` (also an absent or empty constraint): the version the `latest` tag points to when
  one is set and not yanked, otherwise the highest non-yanked stable version (DESIGN §2: a
  skill with only prereleases has no `latest`; name a prerelease range to use one);
- any other tag: the version it points to, unless that version is yanked.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, NamedTuple

from service.formats.problems import Problem, error
from service.resolution.refs import (
    LATEST,
    DigestRef,
    ExactRef,
    InvalidRef,
    RangeRef,
    Ref,
    TagRef,
    parse_ref,
)
from service.semver import Version

DEFAULT_MAX_STEPS = 20_000


@dataclass(frozen=True, slots=True)
class Requirement:
    """`name` required with `constraint` (exact, range, tag, digest; None or "" = latest)."""

    name: str
    constraint: str | None = None

    @property
    def constraint_text(self) -> str:
        text = (self.constraint or "").strip()
        return text or LATEST


@dataclass(frozen=True, slots=True)
class Candidate:
    """One published version of a skill and the skills that version requires.

    `deprecated` (the deprecation message) does not affect the choice; it is carried to the
    result so the caller can warn about it.
    """

    name: str
    version: Version
    digest: str
    requires: tuple[Requirement, ...] = ()
    yanked: bool = False
    deprecated: str | None = None


@dataclass(frozen=True, slots=True)
class Chosen:
    name: str
    version: Version
    digest: str
    required_by: tuple[str, ...]
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class Resolution:
    """The chosen versions, dependencies before their dependents."""

    order: tuple[Chosen, ...]

    def __iter__(self) -> Iterator[Chosen]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def lock(self) -> dict[str, dict[str, str]]:
        return {c.name: {"version": str(c.version), "digest": c.digest} for c in self.order}


class Imposed(NamedTuple):
    """A constraint on a skill and who imposed it (the agent's name or a skill's name)."""

    constraint: str
    imposed_by: str


@dataclass(eq=False)
class ResolutionError(Exception):
    """Base of resolution failures. `code` is stable; `as_dict` gives problem+json members.

    Failures compare by kind and content (so tests and callers can compare them) and stay
    hashable, as exceptions should.
    """

    code: ClassVar[str] = "resolution_failed"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def _content(self) -> tuple[Any, ...]:
        return (type(self), *(getattr(self, f.name) for f in fields(self) if f.compare))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResolutionError):
            return NotImplemented
        return self._content() == other._content()

    def __hash__(self) -> int:
        return hash(self._content())

    @property
    def message(self) -> str:
        raise NotImplementedError

    def details(self) -> dict[str, Any]:
        return {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details()}

    def problem(self, loc: str = "frontmatter.skills") -> Problem:
        return error(loc, self.code, self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(eq=False)
class UnknownSkill(ResolutionError):
    code: ClassVar[str] = "unknown_skill"
    name: str
    required_by: tuple[str, ...]

    @property
    def message(self) -> str:
        return f"skill {self.name!r} does not exist (required by {_names(self.required_by)})"

    def details(self) -> dict[str, Any]:
        return {"skill": self.name, "requiredBy": list(self.required_by)}


@dataclass(eq=False)
class Unsatisfiable(ResolutionError):
    code: ClassVar[str] = "unsatisfiable"
    name: str
    constraints: tuple[Imposed, ...]
    available: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        wanted = ", ".join(f"{c.constraint} (required by {c.imposed_by})" for c in self.constraints)
        have = ", ".join(self.available) if self.available else "none"
        return f"no version of skill {self.name!r} satisfies all of {wanted}; available: {have}"

    def details(self) -> dict[str, Any]:
        return {
            "skill": self.name,
            "constraints": [
                {"constraint": c.constraint, "imposedBy": c.imposed_by} for c in self.constraints
            ],
            "available": list(self.available),
        }


@dataclass(eq=False)
class InvalidConstraint(ResolutionError):
    code: ClassVar[str] = "invalid_constraint"
    name: str
    constraint: str
    imposed_by: str
    reason: str

    @property
    def message(self) -> str:
        return (
            f"{self.imposed_by} requires skill {self.name!r} with an invalid reference "
            f"{self.constraint!r}: {self.reason}"
        )

    def details(self) -> dict[str, Any]:
        return {"skill": self.name, "constraint": self.constraint, "imposedBy": self.imposed_by}


@dataclass(eq=False)
class Cycle(ResolutionError):
    code: ClassVar[str] = "dependency_cycle"
    path: tuple[str, ...]

    @property
    def message(self) -> str:
        return "skills require each other in a cycle: " + " -> ".join(self.path)

    def details(self) -> dict[str, Any]:
        return {"path": list(self.path)}


@dataclass(eq=False)
class ResolutionTooComplex(ResolutionError):
    code: ClassVar[str] = "resolution_too_complex"
    limit: int
    first_conflict: ResolutionError | None = field(default=None, compare=False)

    @property
    def message(self) -> str:
        text = f"gave up after trying {self.limit} skill versions without finding a consistent set"
        if self.first_conflict is not None:
            text += f"; first conflict: {self.first_conflict.message}"
        return text

    def details(self) -> dict[str, Any]:
        first = self.first_conflict.as_dict() if self.first_conflict is not None else None
        return {"limit": self.limit, "firstConflict": first}


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def resolve(
    roots: Sequence[Requirement],
    universe: Mapping[str, Sequence[Candidate]],
    *,
    root: str = "agent",
    tags: Mapping[str, Mapping[str, Version]] | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Resolution:
    """Choose one version per skill reachable from `roots`; raise a ResolutionError otherwise.

    `root` names whoever lists the roots (the agent) in `required_by` and in errors.
    `universe` maps each skill name to its published versions; `tags` maps a skill name to
    its tags (`{"latest": Version, "stable": Version}`).
    """
    return _Resolver(roots, universe, root, tags or {}, max_steps).run()


@dataclass(frozen=True, slots=True)
class _ChoiceConflict:
    """A version conflicts with one already chosen, though another version would fit."""

    error: Unsatisfiable


@dataclass(slots=True)
class _Frame:
    name: str
    options: tuple[Candidate, ...]
    next: int = 0


class _Resolver:
    def __init__(
        self,
        roots: Sequence[Requirement],
        universe: Mapping[str, Sequence[Candidate]],
        root: str,
        tags: Mapping[str, Mapping[str, Version]],
        max_steps: int,
    ) -> None:
        self.roots = tuple(roots)
        self.root = root
        self.tags = tags
        self.max_steps = max_steps
        self.versions: dict[str, tuple[Candidate, ...]] = {}
        for name, candidates in universe.items():
            unique: dict[Version, Candidate] = {}
            for candidate in sorted(candidates, key=lambda c: c.version, reverse=True):
                if candidate.name != name:
                    raise ValueError(f"candidate {candidate.name!r} listed under {name!r}")
                unique.setdefault(candidate.version, candidate)
            self.versions[name] = tuple(unique.values())
        self.allowed_cache: dict[tuple[str, str], frozenset[Candidate] | InvalidRef] = {}
        # Constraints currently imposed on each name, in the order they were imposed; undone
        # last-in first-out as the search backtracks.
        self.imposed: dict[str, list[tuple[Requirement, str]]] = {}
        self.decisions: dict[str, Candidate] = {}
        self.first_failure: ResolutionError | None = None
        self.first_choice_conflict: ResolutionError | None = None

    # -- constraints ----------------------------------------------------------------------

    def allowed(self, req: Requirement) -> frozenset[Candidate] | InvalidRef:
        key = (req.name, req.constraint_text)
        cached = self.allowed_cache.get(key)
        if cached is None:
            cached = self._compute_allowed(req)
            self.allowed_cache[key] = cached
        return cached

    def _compute_allowed(self, req: Requirement) -> frozenset[Candidate] | InvalidRef:
        try:
            ref: Ref = parse_ref(req.constraint_text)
        except InvalidRef as exc:
            return exc
        candidates = self.versions.get(req.name, ())
        if isinstance(ref, ExactRef):
            return frozenset(c for c in candidates if c.version == ref.version)
        if isinstance(ref, DigestRef):
            return frozenset(c for c in candidates if c.digest == ref.digest)
        if isinstance(ref, RangeRef):
            return frozenset(c for c in candidates if ref.allows(c.version, yanked=c.yanked))
        return frozenset(self._tagged(req.name, ref, candidates))

    def _tagged(self, name: str, ref: TagRef, candidates: Sequence[Candidate]) -> list[Candidate]:
        target = self.tags.get(name, {}).get(ref.tag)
        tagged = [c for c in candidates if c.version == target and not c.yanked]
        if tagged or ref.tag != LATEST:
            return tagged[:1]
        stable = [c for c in candidates if not c.yanked and not c.version.is_prerelease]
        return stable[:1]

    def constraints_on(self, name: str) -> list[tuple[Requirement, str]]:
        return self.imposed.get(name, [])

    def unsatisfiable(self, name: str, imposed: Sequence[tuple[Requirement, str]]) -> Unsatisfiable:
        available = tuple(
            f"{c.version} (yanked)" if c.yanked else str(c.version)
            for c in self.versions.get(name, ())
        )
        constraints = tuple(Imposed(req.constraint_text, by) for req, by in imposed)
        return Unsatisfiable(name, constraints, available)

    def options(
        self, name: str, imposed: Sequence[tuple[Requirement, str]]
    ) -> tuple[Candidate, ...] | ResolutionError:
        """The versions of `name` that every constraint in `imposed` allows, highest first."""
        if not self.versions.get(name):
            return UnknownSkill(name, _unique(by for _, by in imposed))
        allowed: set[Candidate] = set(self.versions[name])
        for req, by in imposed:
            result = self.allowed(req)
            if isinstance(result, InvalidRef):
                return InvalidConstraint(name, req.constraint_text, by, str(result))
            allowed &= result
        if not allowed:
            return self.unsatisfiable(name, imposed)
        return tuple(c for c in self.versions[name] if c in allowed)

    # -- search ---------------------------------------------------------------------------

    def run(self) -> Resolution:
        for req in self.roots:
            self.imposed.setdefault(req.name, []).append((req, self.root))
        # What the agent alone asks for can't be fixed by choosing other versions: fail now.
        for root_name in _unique(req.name for req in self.roots):
            root_options = self.options(root_name, self.constraints_on(root_name))
            if isinstance(root_options, ResolutionError):
                raise root_options
        stack: list[_Frame] = []
        steps = 0
        while True:
            name = self.next_name()
            if name is None:
                return self.result()
            options = self.options(name, self.constraints_on(name))
            if isinstance(options, ResolutionError):
                self.fail(options)
                options = ()
            stack.append(_Frame(name, options))
            while True:
                if not stack:
                    raise self.failure()
                frame = stack[-1]
                self.undecide(frame.name)
                if frame.next >= len(frame.options):
                    stack.pop()
                    continue
                candidate = frame.options[frame.next]
                frame.next += 1
                steps += 1
                if steps > self.max_steps:
                    raise ResolutionTooComplex(self.max_steps, self.failure())
                problem = self.check(candidate)
                if isinstance(problem, _ChoiceConflict):
                    self.first_choice_conflict = self.first_choice_conflict or problem.error
                    continue
                if problem is not None:
                    self.fail(problem)
                    continue
                self.decide(candidate)
                break

    def fail(self, failure: ResolutionError) -> None:
        self.first_failure = self.first_failure or failure

    def failure(self) -> ResolutionError:
        """What to report when no assignment works: the first conflict met on the way.

        A conflict with a version already chosen, when another version would have done, is
        only reported when nothing better was recorded.
        """
        failure = self.first_failure or self.first_choice_conflict
        assert failure is not None, "the search only gives up after recording why"
        return failure

    def next_name(self) -> str | None:
        """The first undecided name in a breadth-first walk from the roots."""
        for name in self.walk():
            if name not in self.decisions:
                return name
        return None

    def walk(self) -> list[str]:
        """Names in breadth-first order from the roots, following decided versions only."""
        seen: dict[str, None] = {}
        queue = deque(req.name for req in self.roots)
        while queue:
            name = queue.popleft()
            if name in seen:
                continue
            seen[name] = None
            decided = self.decisions.get(name)
            if decided is not None:
                queue.extend(req.name for req in decided.requires)
        return list(seen)

    def check(self, candidate: Candidate) -> ResolutionError | _ChoiceConflict | None:
        """Whether `candidate` fits the versions already chosen and the constraints known.

        Requirements on names not chosen yet are checked ahead (some version must still fit
        every constraint), so a conflict is found, and named, as early as possible.
        """
        for req in candidate.requires:
            if req.name == candidate.name:
                return Cycle((candidate.name, candidate.name))
            imposed = [*self.constraints_on(req.name), (req, candidate.name)]
            options = self.options(req.name, imposed)
            if isinstance(options, ResolutionError):
                return options
            decided = self.decisions.get(req.name)
            if decided is None:
                continue
            if decided not in options:
                return _ChoiceConflict(self.unsatisfiable(req.name, imposed))
            path = self.path(req.name, candidate.name)
            if path is not None:
                return self.cycle((candidate.name, *path[:-1]))
        return None

    def cycle(self, members: tuple[str, ...]) -> Cycle:
        """The cycle named from the member met first in a walk from the roots, back to it."""
        rank = {name: index for index, name in enumerate(self.walk())}
        start = min(range(len(members)), key=lambda i: rank.get(members[i], len(rank)))
        rotated = members[start:] + members[:start]
        return Cycle((*rotated, rotated[0]))

    def path(self, start: str, goal: str) -> tuple[str, ...] | None:
        """A path along chosen versions' requirements from `start` to `goal`, both included."""
        parents: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            name = queue.popleft()
            if name == goal:
                path = [name]
                while (parent := parents[path[-1]]) is not None:
                    path.append(parent)
                return tuple(reversed(path))
            decided = self.decisions.get(name)
            if decided is None:
                continue
            for req in decided.requires:
                if req.name not in parents:
                    parents[req.name] = name
                    queue.append(req.name)
        return None

    def decide(self, candidate: Candidate) -> None:
        self.decisions[candidate.name] = candidate
        for req in candidate.requires:
            self.imposed.setdefault(req.name, []).append((req, candidate.name))

    def undecide(self, name: str) -> None:
        candidate = self.decisions.pop(name, None)
        if candidate is None:
            return
        for req in reversed(candidate.requires):
            self.imposed[req.name].pop()

    # -- result ---------------------------------------------------------------------------

    def result(self) -> Resolution:
        """The decisions in output order: each skill right after the skills it needs.

        Skills are taken in breadth-first order from the roots (so the agent's listing order
        where nothing forces otherwise), and each is preceded by its not-yet-placed
        dependencies, themselves placed the same way.
        """
        walk = self.walk()
        rank = {name: index for index, name in enumerate(walk)}
        dependencies = {
            name: sorted(_unique(req.name for req in candidate.requires), key=rank.__getitem__)
            for name, candidate in self.decisions.items()
        }
        order: list[str] = []
        placed: set[str] = set()
        for start in walk:
            if start in placed:
                continue
            # Iterative depth-first post-order; the graph is acyclic by construction.
            stack: list[tuple[str, list[str]]] = [(start, list(dependencies[start]))]
            while stack:
                name, pending = stack[-1]
                if pending:
                    dependency = pending.pop(0)
                    if dependency not in placed:
                        stack.append((dependency, list(dependencies[dependency])))
                    continue
                stack.pop()
                placed.add(name)
                order.append(name)
        position = {name: index for index, name in enumerate(order)}
        chosen = []
        for name in order:
            requirers = {by for _, by in self.constraints_on(name)}
            required_by = sorted(requirers, key=lambda by: -1 if by == self.root else position[by])
            candidate = self.decisions[name]
            chosen.append(
                Chosen(name, candidate.version, candidate.digest, tuple(required_by), candidate)
            )
        return Resolution(tuple(chosen))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
