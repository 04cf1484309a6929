"""Every Dash component id, in one place."""

# the shell
CONTENT = "content"
WHO = "who"
LOGOUT = "logout"

# shared by pages
PAGE_TITLE = "page-title"
NOTICE = "notice"

# Scorecard (home, "/")
SC_PROVIDER = "sc-provider"
SC_MONTH = "sc-month"
SC_URL = "sc-url"
SC_BODY = "sc-body"
SC_EXPORTS = "sc-exports"
SC_HEADLINE = "sc-headline"
SC_SCORE = "sc-score"
SC_TABLE = "sc-table"
SC_CREDITS = "sc-credits"
SC_ATTENTION = "sc-attention"
SC_COMMENTS = "sc-comments"
SC_COMMENTS_VERSION = "sc-comments-version"
SC_COMMENT_FORM = "sc-comment-form"
SC_COMMENT_MEASURE = "sc-comment-measure"
SC_COMMENT_TEXT = "sc-comment-text"
SC_COMMENT_POST = "sc-comment-post"
SC_COMMENT_FEEDBACK = "sc-comment-feedback"
SC_PDF = "sc-pdf"
SC_XLSX = "sc-xlsx"

# Measure ("/measure")
MEASURE_DEFINITION = "measure-definition"
MEASURE_TREND = "measure-trend"
MEASURE_CONTROL = "measure-control-chart"
MEASURE_SIGNALS = "measure-signals"
MEASURE_BREAKDOWN = "measure-breakdown"
MEASURE_NUMBERS = "measure-numbers"
MEASURE_REPORTED = "measure-reported"

# Drift ("/drift")
DRIFT_MONTH = "drift-month"
DRIFT_URL = "drift-url"
DRIFT_BODY = "drift-body"
DRIFT_TABLE = "drift-table"
DRIFT_FILTERS = "drift-filters"

# Service ("/service")
SERVICE_PROVIDER = "service-provider"
SERVICE_URL = "service-url"
SERVICE_BODY = "service-body"
SERVICE_HEATMAP = "service-heatmap"
SERVICE_OUTAGES = "service-outages"
SERVICE_CAPACITY = "service-capacity"
SERVICE_CAPACITY_TABLE = "service-capacity-table"

# Providers ("/providers")
PROVIDERS_MONTH = "providers-month"
PROVIDERS_URL = "providers-url"
PROVIDERS_BODY = "providers-body"
PROVIDERS_TABLE = "providers-table"
