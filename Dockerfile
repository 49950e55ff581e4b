FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY tracker tracker
COPY config config
COPY storage storage
COPY alerts alerts
RUN pip install '.[postgres]' && useradd --create-home tracker && chown -R tracker /app
USER tracker
# config/ is mounted from the host (see docker-compose.yml); `tracker run --http` (or
# TRACKER_HTTP=0.0.0.0:8080) serves /healthz and /metrics on this port.
EXPOSE 8080
CMD ["tracker", "run"]
