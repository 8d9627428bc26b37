# One image for the API, the workers and beat: `docker compose up` (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY claim_intake ./claim_intake
# flower is only for the monitoring container, so it is installed here, not a dependency.
RUN pip install --no-cache-dir . "flower>=2,<3"
RUN useradd --create-home claims && mkdir -p /var/lib/claim-intake && chown claims /var/lib/claim-intake
USER claims
EXPOSE 8000
CMD ["claim-intake", "serve", "--host", "0.0.0.0", "--port", "8000"]
