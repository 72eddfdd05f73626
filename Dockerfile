FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production

WORKDIR /app
RUN useradd --create-home --uid 1000 portal
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY housing ./housing
COPY tenants ./tenants
COPY allocations ./allocations
COPY outreach ./outreach
RUN pip install .
COPY . .
# collectstatic needs settings that load: a throw-away key, used only during the build.
RUN SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R portal:portal /app/var
USER portal
EXPOSE 8000
# gunicorn reads its number of workers from WEB_CONCURRENCY: one per CPU the container gets (the
# pages are CPU-bound; more workers than CPUs cost more CPU per request: bench/README.md).
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
