# The registry API image: `registry serve` against the DATABASE_URL it is given.
# Stage 1 builds the wheels (the project's and every dependency's, pinned by requirements.lock);
# stage 2 installs them into a slim image with no compilers, no source tree, no editable install.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY examples ./examples
COPY service ./service
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && pip wheel --no-cache-dir --wheel-dir /wheels -c requirements.lock /wheels/agent_registry-*.whl

FROM python:3.11-slim AS runtime
# The data directory holds the signing keys (signing-keys.json, created on first start): compose
# mounts a volume here so that a re-created container keeps them and what it signed still verifies.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 REGISTRY_DATA_DIR=/var/lib/agent-registry
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels agent-registry \
 && useradd --system --uid 10001 --create-home registry \
 && install -d -o registry -g registry -m 0700 /var/lib/agent-registry
USER registry
WORKDIR /home/registry
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["registry", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
