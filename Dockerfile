FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# fonts-dejavu-core: chart labels need Vietnamese diacritics.
# tzdata: so TZ=Asia/Ho_Chi_Minh also applies to libc (log timestamps).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core tzdata \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
# Editable on purpose: the package reads templates/, sample/ and
# storage/migrations relative to its source tree, so the code must run from /app.
RUN pip install --no-cache-dir -e .

RUN useradd --system --uid 10001 --home-dir /app --no-create-home tiendo \
    && mkdir -p /app/data && chown tiendo:tiendo /app/data
USER tiendo

EXPOSE 8080
CMD ["python", "-m", "bot"]
