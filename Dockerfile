# syntax=docker/dockerfile:1
# Multi-stage: build a wheel and its dependencies, then a slim runtime as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY contracts ./contracts
RUN python -m pip install --no-cache-dir --upgrade pip \
 && python -m pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    EMBEDDED_PG_DIR=/var/lib/benefits/pgdata
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
 && mkdir -p /var/lib/benefits && chown app:app /var/lib/benefits
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/* && rm -rf /wheels
USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"
ENTRYPOINT ["benefits-estimator"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
