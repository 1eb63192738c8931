"""The gateway's own Prometheus metrics (workers add theirs to the same registry in `mirage up`)."""

from prometheus_client import Counter, Histogram

UPLOADS = Counter("mirage_uploads_total", "Uploads by outcome", ["outcome"])
UPLOAD_SECONDS = Histogram("mirage_upload_seconds", "Upload to searchable (or to the wait bound)",
                           buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
SEARCH_SECONDS = Histogram("mirage_search_seconds", "Search round trip through the retrieve worker",
                           buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1))
HTTP_REQUESTS = Counter("mirage_http_requests_total", "HTTP requests", ["method", "route", "status"])
# Buckets past 10 s: the runbook pages on a response time above 10 s, which a histogram ending at 10 could not show.
HTTP_REQUEST_SECONDS = Histogram("mirage_http_request_seconds", "HTTP response time per route (GET /query/{id}?wait= waits by design)",
                                 ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60))
QUERIES = Counter("mirage_queries_total", "Questions by outcome", ["outcome"])
QUERY_SECONDS = Histogram("mirage_query_seconds", "Question to answer (or to the wait bound), through the whole chain",
                          buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5, 10))
