# One image for the API, the workers and beat: `docker compose up` (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Exactly the locked versions, each checked against its hash (`make lock` writes the file);
# then the package itself, which may pull in nothing more.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY claim_intake ./claim_intake
RUN pip install --no-cache-dir --no-deps .
RUN useradd --create-home claims && mkdir -p /var/lib/claim-intake && chown claims /var/lib/claim-intake
USER claims
EXPOSE 8000
CMD ["claim-intake", "serve", "--host", "0.0.0.0", "--port", "8000"]
