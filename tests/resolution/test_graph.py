"""Skill dependency resolution: constraints, yanked versions, tags, diamonds, cycles, order."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.formats.problems import Severity
from service.resolution.graph import (
    DEFAULT_MAX_STEPS,
    Candidate,
    Cycle,
    Imposed,
    InvalidConstraint,
    Requirement,
    Resolution,
    ResolutionError,
    ResolutionTooComplex,
    UnknownSkill,
    Unsatisfiable,
    resolve,
)
from service.resolution.refs import DigestRef, ExactRef, RangeRef, parse_ref, split_name_ref
from service.semver import Version
from tests.helpers import DEV_PYTHON_SKILLS

Universe = dict[str, list[Candidate]]
Tags = Mapping[str, Mapping[str, Version]]


def digest_of(name: str, version: str) -> str:
    return "sha256:" + hashlib.sha256(f"{name}@{version}".encode()).hexdigest()


def req(text: str) -> Requirement:
    name, constraint = split_name_ref(text)
    return Requirement(name, constraint)


def cand(name: str, version: str, *requires: str, yanked: bool = False) -> Candidate:
    return Candidate(
        name,
        Version.parse(version),
        digest_of(name, version),
        tuple(req(text) for text in requires),
        yanked,
    )


def universe(*candidates: Candidate) -> Universe:
    result: Universe = {}
    for candidate in candidates:
        result.setdefault(candidate.name, []).append(candidate)
    return result


def chosen(resolution: Resolution) -> list[tuple[str, str]]:
    return [(c.name, str(c.version)) for c in resolution]


def run(roots: Sequence[str], pool: Universe, **kwargs: Any) -> Resolution:
    return resolve([req(text) for text in roots], pool, root="dev-python", **kwargs)


# --- choosing one skill ----------------------------------------------------------------------


def test_bare_name_picks_highest_stable_non_yanked_version() -> None:
    pool = universe(
        cand("git", "1.0.0"),
        cand("git", "1.2.0"),
        cand("git", "1.3.0", yanked=True),
        cand("git", "2.0.0-rc.1"),
    )
    assert chosen(run(["git"], pool)) == [("git", "1.2.0")]
    assert chosen(run(["git@latest"], pool)) == [("git", "1.2.0")]


def test_range_skips_yanked_versions_and_prereleases() -> None:
    pool = universe(
        cand("git", "1.1.0"),
        cand("git", "1.4.0", yanked=True),
        cand("git", "1.5.0-beta.1"),
        cand("git", "2.0.0"),
    )
    assert chosen(run(["git@^1"], pool)) == [("git", "1.1.0")]


def test_range_naming_a_prerelease_can_pick_it() -> None:
    pool = universe(cand("git", "1.5.0-beta.1"), cand("git", "1.5.0-beta.2"))
    assert chosen(run(["git@^1.5.0-beta.1"], pool)) == [("git", "1.5.0-beta.2")]


def test_exact_version_may_pick_a_yanked_version() -> None:
    pool = universe(cand("git", "1.3.0", yanked=True), cand("git", "1.2.0"))
    resolution = run(["git@1.3.0"], pool)
    assert chosen(resolution) == [("git", "1.3.0")]
    assert resolution.order[0].candidate.yanked


def test_digest_may_pick_a_yanked_version() -> None:
    pool = universe(cand("git", "1.3.0", yanked=True), cand("git", "1.2.0"))
    assert chosen(run([f"git@{digest_of('git', '1.3.0')}"], pool)) == [("git", "1.3.0")]


def test_unknown_digest_is_unsatisfiable() -> None:
    pool = universe(cand("git", "1.2.0"))
    with pytest.raises(Unsatisfiable):
        run(["git@sha256:" + "0" * 64], pool)


def test_yanked_version_is_not_chosen_by_a_range_even_if_it_is_the_only_match() -> None:
    pool = universe(cand("git", "1.3.0", yanked=True), cand("git", "2.0.0"))
    with pytest.raises(Unsatisfiable) as caught:
        run(["git@^1"], pool)
    assert caught.value.available == ("2.0.0", "1.3.0 (yanked)")


def test_latest_tag_when_set_overrides_the_highest_version() -> None:
    pool = universe(cand("git", "1.0.0"), cand("git", "2.0.0"))
    tags = {"git": {"latest": Version.parse("1.0.0")}}
    assert chosen(run(["git"], pool, tags=tags)) == [("git", "1.0.0")]


def test_latest_tag_on_a_yanked_version_falls_back_to_highest_stable() -> None:
    pool = universe(cand("git", "1.0.0", yanked=True), cand("git", "0.9.0"))
    tags = {"git": {"latest": Version.parse("1.0.0")}}
    assert chosen(run(["git"], pool, tags=tags)) == [("git", "0.9.0")]


def test_latest_with_only_prereleases_published_is_unsatisfiable() -> None:
    pool = universe(cand("git", "1.0.0-rc.1"), cand("git", "1.0.0-rc.2"))
    with pytest.raises(Unsatisfiable):
        run(["git"], pool)
    assert chosen(run(["git@^1.0.0-rc.1"], pool)) == [("git", "1.0.0-rc.2")]


def test_latest_with_every_version_yanked_is_unsatisfiable() -> None:
    pool = universe(cand("git", "1.0.0", yanked=True))
    with pytest.raises(Unsatisfiable) as caught:
        run(["git"], pool)
    assert caught.value.constraints == (Imposed("latest", "dev-python"),)


def test_deprecated_versions_are_still_chosen_and_carry_their_message() -> None:
    old = Candidate("git", Version(1, 2, 0), "sha256:d", deprecated="use 2.x")
    pool = {"git": [cand("git", "1.0.0"), old]}
    resolution = run(["git@^1"], pool)
    assert resolution.order[0].candidate.deprecated == "use 2.x"


def test_publisher_tag_picks_its_version() -> None:
    pool = universe(cand("git", "1.0.0"), cand("git", "2.0.0"), cand("git", "3.0.0-rc.1"))
    tags = {"git": {"stable": Version.parse("1.0.0"), "canary": Version.parse("3.0.0-rc.1")}}
    assert chosen(run(["git@stable"], pool, tags=tags)) == [("git", "1.0.0")]
    assert chosen(run(["git@canary"], pool, tags=tags)) == [("git", "3.0.0-rc.1")]


def test_tag_on_a_yanked_version_or_missing_tag_is_unsatisfiable() -> None:
    pool = universe(cand("git", "1.0.0", yanked=True), cand("git", "2.0.0"))
    tags = {"git": {"stable": Version.parse("1.0.0")}}
    with pytest.raises(Unsatisfiable) as caught:
        run(["git@stable"], pool, tags=tags)
    assert caught.value.constraints == (Imposed("stable", "dev-python"),)
    with pytest.raises(Unsatisfiable):
        run(["git@nightly"], pool, tags=tags)


# --- several skills --------------------------------------------------------------------------


def test_diamond_resolves_to_one_version_satisfying_both_sides() -> None:
    pool = universe(
        cand("flask", "1.0.0", "git@^1.1"),
        cand("testing", "1.0.0", "git@<1.3"),
        cand("git", "1.0.0"),
        cand("git", "1.1.0"),
        cand("git", "1.2.0"),
        cand("git", "1.3.0"),
    )
    resolution = run(["flask", "testing"], pool)
    assert chosen(resolution) == [("git", "1.2.0"), ("flask", "1.0.0"), ("testing", "1.0.0")]
    git = next(c for c in resolution if c.name == "git")
    assert git.required_by == ("flask", "testing")


def test_diamond_conflict_names_the_skill_each_constraint_and_who_imposed_it() -> None:
    pool = universe(
        cand("flask", "1.0.0", "git@^1"),
        cand("testing", "1.0.0", "git@^2"),
        cand("git", "1.4.0"),
        cand("git", "2.1.0"),
    )
    with pytest.raises(Unsatisfiable) as caught:
        run(["flask", "testing"], pool)
    failure = caught.value
    assert failure.name == "git"
    assert failure.constraints == (("^1", "flask"), ("^2", "testing"))
    assert failure.as_dict() == {
        "code": "unsatisfiable",
        "message": (
            "no version of skill 'git' satisfies all of ^1 (required by flask), "
            "^2 (required by testing); available: 2.1.0, 1.4.0"
        ),
        "skill": "git",
        "constraints": [
            {"constraint": "^1", "imposedBy": "flask"},
            {"constraint": "^2", "imposedBy": "testing"},
        ],
        "available": ["2.1.0", "1.4.0"],
    }


def test_conflict_with_the_agents_own_constraint_names_the_agent() -> None:
    pool = universe(cand("flask", "1.0.0", "git@^2"), cand("git", "1.4.0"), cand("git", "2.0.0"))
    with pytest.raises(Unsatisfiable) as caught:
        run(["git@^1", "flask"], pool)
    assert caught.value.constraints == (("^1", "dev-python"), ("^2", "flask"))


def test_agent_listing_a_skill_twice_must_satisfy_both() -> None:
    pool = universe(cand("git", "1.4.0"), cand("git", "1.9.0"), cand("git", "2.0.0"))
    assert chosen(run(["git@^1", "git@<1.5"], pool)) == [("git", "1.4.0")]
    with pytest.raises(Unsatisfiable) as caught:
        run(["git@^1", "git@^2"], pool)
    assert caught.value.constraints == (("^1", "dev-python"), ("^2", "dev-python"))


def test_backtracks_to_an_older_version_to_avoid_a_conflict() -> None:
    pool = universe(
        cand("flask", "1.0.0", "git@^1"),
        cand("flask", "1.1.0", "git@^2"),
        cand("testing", "1.0.0", "git@^1"),
        cand("git", "1.0.0"),
        cand("git", "2.0.0"),
    )
    assert chosen(run(["flask@^1", "testing"], pool)) == [
        ("git", "1.0.0"),
        ("flask", "1.0.0"),
        ("testing", "1.0.0"),
    ]


def test_new_requirement_of_a_higher_version_is_followed() -> None:
    pool = universe(
        cand("flask", "1.0.0"),
        cand("flask", "1.1.0", "jinja@^3"),
        cand("jinja", "3.1.0"),
    )
    assert chosen(run(["flask"], pool)) == [("jinja", "3.1.0"), ("flask", "1.1.0")]


def test_unknown_skill_listed_by_the_agent() -> None:
    with pytest.raises(UnknownSkill) as caught:
        run(["git", "nope"], universe(cand("git", "1.0.0")))
    assert caught.value == UnknownSkill("nope", ("dev-python",))
    assert caught.value.as_dict()["requiredBy"] == ["dev-python"]


def test_unknown_skill_required_by_a_skill_names_it() -> None:
    pool = universe(cand("flask", "1.0.0", "jinja@^3"), cand("testing", "1.0.0", "jinja"))
    with pytest.raises(UnknownSkill) as caught:
        run(["flask", "testing"], pool)
    assert caught.value.name == "jinja"
    assert caught.value.required_by == ("flask",)


def test_unknown_requirement_of_the_highest_version_falls_back_to_an_older_one() -> None:
    pool = universe(cand("flask", "1.0.0"), cand("flask", "1.1.0", "gone@^1"))
    assert chosen(run(["flask@^1"], pool)) == [("flask", "1.0.0")]


def test_invalid_constraint_from_the_agent_is_reported_at_once() -> None:
    with pytest.raises(InvalidConstraint) as caught:
        run(["git@Not Valid"], universe(cand("git", "1.0.0")))
    assert caught.value.imposed_by == "dev-python"
    assert caught.value.constraint == "Not Valid"


def test_invalid_constraint_inside_a_skill_names_the_skill() -> None:
    pool = {"flask": [Candidate("flask", Version(1, 0, 0), "d", (Requirement("git", "^^1"),))]}
    pool["git"] = [cand("git", "1.0.0")]
    with pytest.raises(InvalidConstraint) as caught:
        run(["flask"], pool)
    assert (caught.value.name, caught.value.imposed_by) == ("git", "flask")


# --- cycles ----------------------------------------------------------------------------------


def test_cycle_is_reported_with_its_path() -> None:
    pool = universe(
        cand("a", "1.0.0", "b"),
        cand("b", "1.0.0", "c"),
        cand("c", "1.0.0", "a"),
    )
    with pytest.raises(Cycle) as caught:
        run(["a"], pool)
    assert caught.value.path == ("a", "b", "c", "a")
    assert caught.value.as_dict() == {
        "code": "dependency_cycle",
        "message": "skills require each other in a cycle: a -> b -> c -> a",
        "path": ["a", "b", "c", "a"],
    }


def test_cycle_path_starts_from_the_skill_met_first() -> None:
    pool = universe(
        cand("top", "1.0.0", "x"),
        cand("x", "1.0.0", "y"),
        cand("y", "1.0.0", "x"),
    )
    with pytest.raises(Cycle) as caught:
        run(["top"], pool)
    assert caught.value.path == ("x", "y", "x")


def test_skill_requiring_itself_is_a_cycle() -> None:
    with pytest.raises(Cycle) as caught:
        run(["a"], universe(cand("a", "1.0.0", "a@^1")))
    assert caught.value.path == ("a", "a")


def test_cycle_in_the_newest_versions_is_avoided_when_an_older_version_has_none() -> None:
    pool = universe(
        cand("a", "1.0.0", "b@^1"),
        cand("b", "1.0.0"),
        cand("b", "1.1.0", "a@^1"),
    )
    assert chosen(run(["a", "b@^1"], pool)) == [("b", "1.0.0"), ("a", "1.0.0")]


# --- order, provenance, lock -----------------------------------------------------------------


def test_independent_skills_keep_the_agents_listing_order() -> None:
    pool = universe(*(cand(name, "1.0.0") for name in DEV_PYTHON_SKILLS))
    resolution = run(DEV_PYTHON_SKILLS, pool)
    assert [c.name for c in resolution] == DEV_PYTHON_SKILLS
    assert all(c.required_by == ("dev-python",) for c in resolution)


def test_dependencies_come_before_their_dependents() -> None:
    pool = universe(
        cand("python-flask", "1.0.0", "python-testing@^1"),
        cand("python-testing", "1.0.0", "git-workflow"),
        cand("git-workflow", "1.0.0"),
        cand("code-review-practices", "1.0.0", "git-workflow@^1"),
        cand("extra", "1.0.0"),
    )
    resolution = run(["python-flask", "code-review-practices", "git-workflow", "extra"], pool)
    assert [c.name for c in resolution] == [
        "git-workflow",
        "python-testing",
        "python-flask",
        "code-review-practices",
        "extra",
    ]
    git = next(c for c in resolution if c.name == "git-workflow")
    assert git.required_by == ("dev-python", "python-testing", "code-review-practices")


def test_lock_records_version_and_digest_of_each_skill() -> None:
    pool = universe(cand("git", "1.2.0"), cand("flask", "2.0.0", "git@^1"))
    assert run(["flask"], pool).lock() == {
        "git": {"version": "1.2.0", "digest": digest_of("git", "1.2.0")},
        "flask": {"version": "2.0.0", "digest": digest_of("flask", "2.0.0")},
    }


def test_no_skills_resolve_to_nothing() -> None:
    assert run([], {}).order == ()


def test_candidate_listed_under_another_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="listed under"):
        resolve([Requirement("git")], {"git": [cand("flask", "1.0.0")]})


def test_errors_convert_to_validation_problems() -> None:
    with pytest.raises(ResolutionError) as caught:
        run(["nope"], {})
    problem = caught.value.problem("frontmatter.skills[0]")
    assert (problem.loc, problem.code, problem.severity) == (
        "frontmatter.skills[0]",
        "unknown_skill",
        Severity.ERROR,
    )
    assert "nope" in problem.message


# --- bounded work ----------------------------------------------------------------------------


def pathological(skills: int, versions: int) -> tuple[list[str], Universe]:
    """`skills` skills of `versions` versions each need q@^1, and `z` needs q@^2: every
    combination of the skills is tried before `z` conflicts again (versions**skills)."""
    names = [f"a{i}" for i in range(skills)]
    pool = universe(
        *(cand(name, f"1.{minor}.0", "q@^1") for name in names for minor in range(versions)),
        cand("z", "1.0.0", "q@^2"),
        cand("q", "1.0.0"),
        cand("q", "2.0.0"),
    )
    return [*(f"{name}@^1" for name in names), "z"], pool


def test_pathological_backtracking_fails_cleanly_within_the_step_limit() -> None:
    roots, pool = pathological(skills=8, versions=6)
    with pytest.raises(ResolutionTooComplex) as caught:
        run(roots, pool, max_steps=5_000)
    assert caught.value.limit == 5_000
    first = caught.value.first_conflict
    assert isinstance(first, Unsatisfiable)
    assert first.name == "q"
    assert caught.value.as_dict()["firstConflict"]["skill"] == "q"


def test_the_default_step_limit_bounds_a_search_of_5_to_the_10th_combinations() -> None:
    roots, pool = pathological(skills=10, versions=5)
    with pytest.raises(ResolutionTooComplex) as caught:
        run(roots, pool)
    assert caught.value.limit == DEFAULT_MAX_STEPS


# --- properties on random graphs -------------------------------------------------------------

NAMES = ["a", "b", "c", "d", "e"]
VERSION_POOL = ["0.9.0", "1.0.0", "1.1.0", "1.2.0-rc.1", "1.5.0", "2.0.0"]
# Permissive constraints are repeated so that most random graphs have solutions to check.
CONSTRAINT_POOL = [
    *["*"] * 4,
    *[">=0.9"] * 3,
    *["^1"] * 2,
    "<2",
    "~1.1",
    "1.x",
    None,
    "latest",
    "stable",
    "2.x",
    "^1.2.0-rc.1",
    "<1.5",
    "1.0.0",
    "1.5.0",
]


def rarely(one_in: int) -> st.SearchStrategy[bool]:
    # sampled_from draws about uniformly; st.integers favours its bounds.
    return st.sampled_from([False] * (one_in - 1) + [True])


@st.composite
def graphs(draw: st.DrawFn, *, acyclic: bool) -> tuple[list[Requirement], Universe, Tags]:
    count = draw(st.sampled_from(range(1, len(NAMES) + 1)))
    names = NAMES[:count]
    pool: Universe = {}
    tags: dict[str, dict[str, Version]] = {}
    for index, name in enumerate(names):
        if draw(rarely(20)):
            continue  # an unknown skill
        texts = draw(st.lists(st.sampled_from(VERSION_POOL), min_size=1, max_size=3, unique=True))
        targets = names[index + 1 :] if acyclic else names
        versions = []
        for text in texts:
            width = draw(st.sampled_from([0, 1, 1, 2]))
            required = draw(st.permutations(targets))[:width] if targets else []
            requires = tuple(
                Requirement(target, draw(st.sampled_from(CONSTRAINT_POOL))) for target in required
            )
            yanked = draw(rarely(6))
            versions.append(
                Candidate(name, Version.parse(text), digest_of(name, text), requires, yanked)
            )
        pool[name] = versions
        if draw(st.booleans()):
            tags[name] = {"stable": Version.parse(draw(st.sampled_from(texts)))}
        if draw(rarely(5)):
            tags.setdefault(name, {})["latest"] = Version.parse(draw(st.sampled_from(texts)))
    root_names = [draw(st.sampled_from(names)) for _ in range(draw(st.sampled_from([1, 2, 3])))]
    roots = [Requirement(name, draw(st.sampled_from(CONSTRAINT_POOL))) for name in root_names]
    return roots, pool, tags


def allows(
    constraint: str | None, candidate: Candidate, versions: Sequence[Candidate], tags: Tags
) -> bool:
    """DESIGN §2 reference semantics, written independently of the resolver."""
    ref = parse_ref(constraint or "")
    if isinstance(ref, ExactRef):
        return candidate.version == ref.version
    if isinstance(ref, DigestRef):
        return candidate.digest == ref.digest
    if isinstance(ref, RangeRef):
        return not candidate.yanked and ref.range.satisfies(candidate.version)
    live = [c for c in versions if not c.yanked]
    target = tags.get(candidate.name, {}).get(ref.tag)
    if ref.tag == "latest" and not any(c.version == target for c in live):
        stable = [c.version for c in live if not c.version.is_prerelease]
        target = max(stable, default=None)
    return not candidate.yanked and candidate.version == target


def is_valid(
    assignment: Mapping[str, Candidate],
    roots: Sequence[Requirement],
    pool: Universe,
    tags: Tags,
) -> bool:
    reachable: set[str] = set()
    frontier = [r.name for r in roots]
    while frontier:
        name = frontier.pop()
        if name in reachable:
            continue
        if name not in assignment:
            return False
        reachable.add(name)
        frontier.extend(r.name for r in assignment[name].requires)
    if reachable != set(assignment):
        return False
    edges = [(None, r) for r in roots] + [
        (c.name, r) for c in assignment.values() for r in c.requires
    ]
    for _, r in edges:
        if not allows(r.constraint, assignment[r.name], pool[r.name], tags):
            return False
    return not has_cycle(assignment)


def has_cycle(assignment: Mapping[str, Candidate]) -> bool:
    state: dict[str, int] = {}

    def visit(name: str) -> bool:
        if state.get(name) == 1:
            return True
        if state.get(name) == 2:
            return False
        state[name] = 1
        if any(visit(r.name) for r in assignment[name].requires):
            return True
        state[name] = 2
        return False

    return any(visit(name) for name in assignment)


def all_valid(
    roots: Sequence[Requirement], pool: Universe, tags: Tags
) -> list[dict[str, Candidate]]:
    names = sorted(pool)
    found = []
    for combo in itertools.product(*([None, *pool[name]] for name in names)):
        assignment = {n: c for n, c in zip(names, combo, strict=True) if c is not None}
        if is_valid(assignment, roots, pool, tags):
            found.append(assignment)
    return found


graph_settings = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@graph_settings
@given(st.one_of(graphs(acyclic=True), graphs(acyclic=False)))
def test_random_graph_resolution_is_valid_complete_and_locally_maximal(
    graph: tuple[list[Requirement], Universe, Tags],
) -> None:
    roots, pool, tags = graph
    solutions = all_valid(roots, pool, tags)
    try:
        resolution = resolve(roots, pool, root="agent", tags=tags)
    except ResolutionTooComplex:
        raise
    except ResolutionError:
        assert solutions == [], "a valid set of versions exists but resolution failed"
        return
    assignment = {c.name: c.candidate for c in resolution}
    assert is_valid(assignment, roots, pool, tags)
    # No chosen version can be raised, all else equal, and still satisfy every constraint.
    for name, current in assignment.items():
        for higher in pool[name]:
            if higher.version > current.version:
                assert not is_valid({**assignment, name: higher}, roots, pool, tags)


@graph_settings
@given(st.one_of(graphs(acyclic=True), graphs(acyclic=False)))
def test_random_graph_resolution_is_deterministic_and_ordered(
    graph: tuple[list[Requirement], Universe, Tags],
) -> None:
    roots, pool, tags = graph
    shuffled = {name: list(reversed(versions)) for name, versions in reversed(pool.items())}
    try:
        first = resolve(roots, pool, root="agent", tags=tags)
    except ResolutionError as failure:
        with pytest.raises(type(failure)) as again:
            resolve(roots, shuffled, root="agent", tags=tags)
        assert again.value == failure
        return
    assert resolve(roots, pool, root="agent", tags=tags) == first
    assert resolve(roots, shuffled, root="agent", tags=tags) == first
    position = {c.name: index for index, c in enumerate(first)}
    root_names = {r.name for r in roots}
    for item in first:
        assert all(position[r.name] < position[item.name] for r in item.candidate.requires)
        requirers = {
            c.name for c in first if any(r.name == item.name for r in c.candidate.requires)
        }
        expected = requirers | ({"agent"} if item.name in root_names else set())
        assert set(item.required_by) == expected
        assert len(item.required_by) == len(expected)
        if item.name in root_names:
            assert item.required_by[0] == "agent"


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=2, max_value=8))
def test_resolution_always_terminates_within_its_step_limit(width: int, versions: int) -> None:
    names = [f"s{i}" for i in range(width)]
    pool = universe(
        *(cand(name, f"1.{minor}.0", "q@^1") for name in names for minor in range(versions)),
        cand("z", "1.0.0", "q@^2"),
        cand("q", "1.0.0"),
        cand("q", "2.0.0"),
    )
    with pytest.raises(ResolutionError) as caught:
        run([*(f"{name}@^1" for name in names), "z"], pool, max_steps=2_000)
    if isinstance(caught.value, ResolutionTooComplex):
        assert caught.value.limit == 2_000
