"""HTTP routes under /documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from adapters.formats import RejectedUpload, detect_format, safe_filename
from contracts.documents import DocumentStatus
from contracts.search import MAX_QUERY_CHARS, MAX_TOP_K, SearchRequest, SearchResponse
from gateway.auth import ADMINS, EVERYONE, requires
from gateway.bodies import DocumentList, DocumentState
from gateway.documents import Documents, describe, newest
from gateway.errors import ApiError, error_responses
from gateway.input_checks import check_document_id, check_language, parse_metadata, query_string_filters
from gateway.rate_limits import rate_limited
from gateway.stats import document_stats

router = APIRouter(prefix="/documents", tags=["documents"])
SEARCH_PARAMS = {"query", "top_k", "language"}
UPLOAD_ANSWERS = {201: {"model": DocumentState, "description": "Indexed: searchable now"},
                  200: {"model": DocumentState, "description": "These bytes are indexed already: the same document, `duplicate` true"},
                  202: {"model": DocumentState, "description": "Still indexing after MIRAGE_UPLOAD_WAIT_S: poll `status_url`"}}
DELETE_ANSWERS = {202: {"description": "Still deleting: poll `status_url`"}}


def documents(request: Request) -> Documents:
    return request.app.state.documents


@router.post("/upload", status_code=201, summary="Upload a document; answers once it is searchable",
             dependencies=[Depends(requires(*ADMINS)), Depends(rate_limited("uploads"))],
             responses=error_responses(400, 415, 429, 507) | UPLOAD_ANSWERS)
async def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="PDF, DOCX, TXT, Markdown or HTML")],
    metadata: Annotated[str | None, Form(description='JSON object, e.g. {"type":"medical","language":"fr"}')] = None,
) -> JSONResponse:
    meta = parse_metadata(metadata)
    limit = request.app.state.settings.max_upload_bytes
    if file.size is not None and file.size > limit:
        raise ApiError(413, "file_too_large", f"the file is {file.size} bytes; the limit is {limit} bytes")
    data = await file.read()
    try:
        fmt = detect_format(data, file.filename)
    except RejectedUpload as exc:
        raise ApiError(415 if exc.code == "unsupported_type" else 400, exc.code, str(exc)) from exc
    status, body = await documents(request).upload(data, safe_filename(file.filename), fmt, meta)
    return JSONResponse(body, status_code=status)


@router.get("/stats", summary="Documents, chunks, languages, types, last indexing time, embedder", dependencies=[Depends(requires(*EVERYONE))])
async def stats(request: Request) -> dict[str, Any]:
    return document_stats(await request.app.state.runtime.document_figures.get())


@router.get("/search", response_model=SearchResponse, summary="Hybrid search; any other query parameter filters on metadata",
            dependencies=[Depends(requires(*EVERYONE))])
async def search(
    request: Request,
    query: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS)],
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 5,
    language: Annotated[str | None, Query(description="en, fr, es or de")] = None,
) -> SearchResponse:
    if not query.strip():
        raise ApiError(422, "invalid_request", "query: must contain text", problems=[{"field": "query", "problem": "must contain text"}])
    filters = query_string_filters(request.query_params.multi_items(), SEARCH_PARAMS)
    if language:
        filters["language"] = check_language(language)
    return await documents(request).search(SearchRequest(query=query, top_k=top_k, filters=filters))


@router.get("", summary="List documents, newest first", dependencies=[Depends(requires(*EVERYONE))],
            response_model=None, responses={200: {"model": DocumentList}})
async def list_documents(
    request: Request,
    status: DocumentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    rows = await newest(request.app.state.runtime.catalog, status, offset + limit)
    return {"documents": [describe(r) for r in rows[offset:]], "limit": limit, "offset": offset}


@router.get("/{document_id}", summary="One document's state: processing, indexed or failed (with the reason)",
            dependencies=[Depends(requires(*EVERYONE))], response_model=None,
            responses=error_responses(404) | {200: {"model": DocumentState}})
async def get_document(request: Request, document_id: str) -> dict[str, Any]:
    return describe(await documents(request).get(check_document_id(document_id)))


@router.delete("/{document_id}", summary="Delete a document and every one of its chunks", dependencies=[Depends(requires(*ADMINS))],
               responses=error_responses(404, 409) | DELETE_ANSWERS)
async def delete_document(request: Request, document_id: str) -> JSONResponse:
    status, body = await documents(request).delete(check_document_id(document_id))
    return JSONResponse(body, status_code=status)
