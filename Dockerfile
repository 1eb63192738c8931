# MIRAGE: one image for the gateway and every worker; compose picks the process with `command`.
# The offline models (multilingual USE, all-MiniLM-L6-v2, lingua) ship inside their wheels: nothing is
# downloaded at run time. The English model's ONNX graph (and its int8 copy for questions) is built from its
# weights at image build time, with onnx alone: no PyTorch.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# .dockerignore lets in only pyproject.toml, README.md and the four packages.
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    MIRAGE_HOST=0.0.0.0 \
    MIRAGE_DATA_DIR=/var/lib/mirage \
    MIRAGE_MODEL_CACHE=/opt/mirage/models
RUN groupadd --system --gid 10001 mirage \
 && useradd --system --uid 10001 --gid mirage --home-dir /var/lib/mirage --create-home --shell /usr/sbin/nologin mirage
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels \
 && python -c "from adapters.embedders.english import EnglishEmbedder; EnglishEmbedder('/opt/mirage/models')"
USER mirage
WORKDIR /var/lib/mirage
EXPOSE 8006 8080 9464
CMD ["mirage", "gateway"]
