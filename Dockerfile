# KPI Coach: the Telegram bot in a small image.
#   docker build -t kpi-coach .
#   docker run -e TELEGRAM_BOT_TOKEN=... -v kpi-data:/data kpi-coach
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

RUN groupadd --system --gid 10001 kpi \
    && useradd --system --uid 10001 --gid kpi --home-dir /app --shell /usr/sbin/nologin kpi

WORKDIR /app

# Dependencies first (pinned), so code changes do not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY pyproject.toml babel.cfg README.md ./
COPY kpi_core/ kpi_core/
COPY bot/ bot/
COPY migrations/ migrations/
COPY locales/ locales/
RUN pip install --no-deps . \
    && mkdir -p /data && chown kpi:kpi /data

USER kpi
VOLUME ["/data"]

# Migrations run at start-up (kpi-coach run applies pending ones before polling).
CMD ["kpi-coach", "run"]
