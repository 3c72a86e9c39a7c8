# The registry API image: `registry serve` against the DATABASE_URL it is given.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY service ./service
COPY migrations ./migrations
COPY examples ./examples
RUN pip install --no-cache-dir -e . \
 && useradd --system --uid 10001 registry
USER registry
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["registry", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
