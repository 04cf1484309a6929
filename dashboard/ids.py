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

# Reviews ("/reviews"; the review workspace /review/<id> is server-rendered, with its own ids)
REVIEWS_PAGE = "reviews-page"
REVIEWS_TABLE = "reviews-table"
REVIEWS_ACTIONS_TABLE = "review-actions-table"
REVIEWS_OPEN_LINK = "open-review-link"
REVIEWS_ACCESS_LINK = "review-access-link"

# Surveys ("/surveys")
SURVEYS_PROVIDER = "surveys-provider"
SURVEYS_FROM = "surveys-from"
SURVEYS_MONTH = "surveys-month"
SURVEYS_URL = "surveys-url"
SURVEYS_BODY = "surveys-body"
SURVEYS_ADMIN_LINK = "surveys-admin-link"
SURVEYS_RATES = "surveys-rates"
SURVEYS_RATES_TABLE = "surveys-rates-table"
SURVEYS_TRENDS = "surveys-trends"
SURVEYS_CSAT = "surveys-csat"
SURVEYS_NPS = "surveys-nps"
SURVEYS_RESPONSE_RATE = "surveys-response-rate"
SURVEYS_DISTRIBUTION = "surveys-distribution"
SURVEYS_NPS_GROUPS = "surveys-nps-groups"
SURVEYS_BREAKDOWN = "surveys-breakdown"
SURVEYS_COMMENTS = "surveys-comments"
SURVEYS_COMMENTS_TABLE = "surveys-comments-table"

# Administration ("/admin")
ADMIN_PAGE = "admin-page"
ADMIN_USERS = "admin-users"
ADMIN_USERS_LINK = "admin-users-link"
ADMIN_TOKENS = "admin-tokens"
ADMIN_TOKENS_LINK = "admin-tokens-link"
ADMIN_IMPORTS = "admin-imports"
ADMIN_IMPORTS_LINK = "admin-imports-link"
ADMIN_SCORECARDS = "admin-scorecards"
ADMIN_SCORECARDS_LINK = "admin-scorecards-link"
ADMIN_QUESTIONNAIRES = "admin-questionnaires"
ADMIN_QUESTIONNAIRES_LINK = "admin-questionnaires-link"
ADMIN_AUDIT = "admin-audit"
ADMIN_AUDIT_LINK = "admin-audit-link"
