FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BOOKCROSS_VAR_DIR=/var/lib/bookcross
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir . \
 && useradd --system --create-home bookcross \
 && mkdir -p /var/lib/bookcross && chown bookcross /var/lib/bookcross
USER bookcross
EXPOSE 8001 8002 8003
CMD ["bookcross", "status"]
