"""One settings module, read from environment variables.

With no variable set everything runs on one machine: SQLite, the database search backend,
Celery tasks executed eagerly in process, files in ./var/media. DEBUG is off unless set (``make run``
sets it for the demo); with DEBUG off, SECRET_KEY must be set and the production security settings apply.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean: only 'true'/'false' (any case), '1'/'0' are accepted."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Absolute address used in QR codes on documents (the public verification page).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "market",
    "valuation",
    "search",
    "notifications",
    "matching",
    "stats",
    "finance",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it turns a locked-out sign-in into the lockout answer (market/web/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while a writer commits; IMMEDIATE takes the write lock at BEGIN,
    # which is what select_for_update would give on PostgreSQL (SQLite ignores it). Reads go through a
    # 64 MiB page cache and the first GiB of the file mapped in memory (shared by every connection, as a
    # connection lasts a request) rather than a system call per 4 KiB page: measured at 100,000 listings, the
    # first search pages' p95 went from 17.2 to 14.2 ms (docs/search.md).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                         "PRAGMA mmap_size=1073741824;"),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Measured at 1,000,000 listings (benchmarks/search_bench.py): JIT compiling the one-pass facet count
    # cost ~70 ms and never paid back on these sub-second queries; with 4 MB a common word's bitmap went
    # lossy and PostgreSQL re-checked the text of whole pages (587 ms → 384 ms with 32 MB). The search tables are
    # read from memory, so a random read is priced near a sequential one: at 100,000 listings the first search
    # pages' p95 went from 16.1-16.3 to 15.3-15.6 ms (two runs each, alternated).
    DATABASES["default"]["OPTIONS"] = {"options": "-c jit=off -c random_page_cost=1.1 "
                                                  f"-c work_mem={os.environ.get('DATABASE_WORK_MEM', '32MB')}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "market.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "market.web.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks the lockout before the password is; ModelBackend then authenticates.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for AXES_COOLOFF_TIME, on the page and on the API's token endpoint alike.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "market.web.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# The client's address, for the lockout and the throttles alike (market/web/clientip.py): REMOTE_ADDR, or with
# PROXY_COUNT proxies in front (docker/ has one) the address the outermost of them put in X-Forwarded-For.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "market.web.clientip.client_ip"
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:workspace"
LOGOUT_REDIRECT_URL = "frontend:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list[Path] = []  # each app keeps its own translations in <app>/locale
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# API tokens (django-rest-knox): stored hashed; each expires TOKEN_TTL after its last use, and at the latest
# AUTO_REFRESH_MAX_TTL after sign-in; POST /api/v1/auth/logout/ revokes this token, /logoutall/ every token
# of the user.
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(hours=env_int("API_TOKEN_HOURS", 10)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": dt.timedelta(days=env_int("API_TOKEN_MAX_DAYS", 30)),
    "AUTH_HEADER_PREFIX": "Token",
}
# A sign-in beyond this many live tokens of one user revokes the oldest (market/api/auth.py).
REST_KNOX_TOKENS_PER_USER = 20
REST_FRAMEWORK = {
    # The token first: an anonymous request is answered 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "market.web.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["market.web.throttles.AnonThrottle", "market.web.throttles.UserThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "market.web.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "market.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "浙江知识产权交易与质押融资平台 API",
    "DESCRIPTION": "IP trading and pledge-finance marketplace. Money is CNY with 2 decimal places.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "market.models.OrganisationKind",
        "ParticipantRoleEnum": "finance.models.ParticipantRole",
        "UserRoleEnum": "market.models.UserRole",
        "ReceivablePledgeStateEnum": "finance.models.ReceivablePledgeState",
        "PoolStateEnum": "finance.models.PoolState",
        "AbandonmentStateEnum": "market.models.AbandonmentState",
        "ListingStateEnum": "market.models.ListingState",
        "DealStateEnum": "market.transfers.models.DealState",
        "EscrowStateEnum": "market.models.EscrowState",
        "DocumentStateEnum": "market.models.DocumentState",
        "DemandStateEnum": "matching.models.DemandState",
        "ProposalStateEnum": "matching.models.ProposalState",
        "CityEnum": "market.regions.City",
        "AuctionStateEnum": "market.auctions.models.AuctionState",
        "DepositStatusEnum": "market.auctions.models.DepositStatus",
        "OpenLicenceStateEnum": "market.licensing.models.OpenLicenceState",
        "LicenceStateEnum": "market.licensing.models.LicenceState",
        "LicenceContractStateEnum": "market.licensing.models.LicenceContractState",
        "LicenceKindEnum": "market.licensing.models.LicenceKind",
        "RoyaltyMethodEnum": "market.licensing.models.RoyaltyMethod",
        "RoyaltyKindEnum": "market.licensing.models.RoyaltyKind",
        # pledge financing
        "PledgeLoanStateEnum": "market.pledges.models.PledgeLoanState",
        "PledgeFilingStateEnum": "market.pledges.models.PledgeFilingState",
        "PledgeFilingKindEnum": "market.pledges.models.PledgeFilingKind",
        "RepaymentPlanEnum": "market.pledges.models.RepaymentPlan",
        "InstalmentStatusEnum": "market.pledges.models.InstalmentStatus",
        "PledgeAlertKindEnum": "market.pledges.models.PledgeAlertKind",
        "ConfirmableGroundEnum": "market.pledges.models.ConfirmableGround",
    },
    # Swagger UI served from our own static files: pages load nothing from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Requests a minute each client may make (market/web/throttles.py): by address for anonymous visitors, by user
# once signed in; "auth" covers sign-in and invitations, "verify" the public document verification.
THROTTLE_RATES = {
    "anon": os.environ.get("THROTTLE_ANON", "600/min"),
    "user": os.environ.get("THROTTLE_USER", "1200/min"),
    "auth": os.environ.get("THROTTLE_AUTH", "20/min"),
    "verify": os.environ.get("THROTTLE_VERIFY", "30/min"),
}
# The largest JSON body the API reads, and how deeply it may nest (market/web/parsers.py).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024 * 1024)
API_MAX_JSON_DEPTH = 20
# Throttle counters live in the cache: per process by default, shared through Redis when CACHE_URL is set.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
          if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

ACCESS = {
    # Days an invitation to join an organisation stays valid.
    "INVITATION_DAYS": 7,
}

# Celery: eager in process when no broker is configured (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A request publishes its tasks once, without retrying, and waits at most this long for the broker; what
# the broker refused is published by the sweep below (market/services/queue.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BEAT_SCHEDULE = {
    # The cockpit (stats/): recent months every 5 minutes, everything and the price index nightly and hourly.
    "stats-refresh": {"task": "stats.refresh", "schedule": 300.0},
    "stats-rebuild": {"task": "stats.rebuild", "schedule": crontab(hour=2, minute=0)},
    "stats-index": {"task": "stats.index", "schedule": crontab(minute=15)},
    "queued-tasks-publish": {"task": "market.tasks.queued_tasks_publish_task", "schedule": 60.0},
    "listings-expire": {"task": "market.tasks.listings_expire_due_task", "schedule": crontab(hour=0, minute=10)},
    "register-expire": {"task": "market.tasks.register_expire_due_task", "schedule": crontab(hour=0, minute=5)},
    "transfer-fee-lapse": {"task": "market.tasks.deals_lapse_unpaid_filings_task",
                           "schedule": crontab(hour=0, minute=20)},
    # Retries index changes the engine missed (it was down, or a task was lost); see search/outbox.py.
    "search-outbox-sweep": {"task": "search.outbox_sweep", "schedule": 60.0},
    # The database backend's facet cells count remaining years from a day: recounted after midnight.
    "search-facet-cells": {"task": "search.refresh_facet_cells", "schedule": 300.0},
    "saved-searches-digest": {"task": "matching.tasks.saved_searches_digest_task",
                              "schedule": crontab(hour=7, minute=30)},
    "match-proposals-sync": {"task": "matching.tasks.proposals_sync_closed_deals_task",
                             "schedule": crontab(hour=0, minute=40)},
    # Auctions open, close and forfeit on the minute their times pass.
    "auctions-tick": {"task": "market.tasks.auctions_tick_task", "schedule": crontab()},
    "licences-expire": {"task": "market.tasks.licences_expire_due_task", "schedule": crontab(hour=0, minute=30)},
    "royalties-remind-late": {"task": "market.tasks.royalties_remind_late_task",
                              "schedule": crontab(hour=8, minute=0)},
    "licence-filing-warnings": {"task": "market.tasks.licence_contracts_warn_filing_task",
                                "schedule": crontab(hour=8, minute=10)},
    # pledge financing: overdue instalments, monitoring of pledged patents, the registry's due decisions
    "pledge-instalments-overdue": {"task": "market.pledge_tasks.loans_mark_overdue_task",
                                   "schedule": crontab(hour=1, minute=0)},
    "pledge-deposits-due": {"task": "market.pledge_tasks.loans_close_due_deposits_task",
                            "schedule": crontab(hour=1, minute=5)},
    "pledge-monitoring": {"task": "market.pledge_tasks.pledge_monitor_all_task", "schedule": crontab(hour=1, minute=15)},
    "pledge-registry-due": {"task": "market.pledge_tasks.pledge_filings_decide_due_task",
                            "schedule": crontab(hour=9, minute=0)},
}

# Search: "database" (embedded default) or "elasticsearch".
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "database")
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "zjip")
# Replicas of the listings index: 0 on a single node (else its health stays yellow), 1 on a cluster.
ELASTICSEARCH_REPLICAS = int(os.environ.get("ELASTICSEARCH_REPLICAS", "0"))
# Only for OpenSearch-compatible test servers (osmem-server) that refuse Elasticsearch's versioned
# media types; a real Elasticsearch 8 needs false (search/backends/elasticsearch/transport.py).
ELASTICSEARCH_COMPATIBILITY_SERVER = env_bool("ELASTICSEARCH_COMPATIBILITY_SERVER", False)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@zjip.example")

# Domain settings: the numbers of the rules in docs/rules.md that law or practice may change.
MARKET = {
    # CNIPA fee for a change of bibliographic data, per patent (docs/rules.md, Transfer).
    "CHANGE_REGISTRATION_FEE_PER_PATENT": "200.00",
    # Days the fee may remain unpaid after the request before it is deemed not filed.
    "CHANGE_REGISTRATION_FEE_DAYS": 30,
    # Zhejiang public universities and institutes publicise negotiated deals this many days.
    "PUBLICITY_DAYS": 15,
    # Listings expire after this many days unless renewed.
    "LISTING_DAYS": 365,
    # Document numbers start with this prefix.
    "DOCUMENT_PREFIX": "ZJIP",
    # Auctions: a bid with less than this many minutes left moves the end to this many minutes after the bid.
    "AUCTION_EXTENSION_MINUTES": 5,
    # Days the winning bidder has to pay the price (the deposit counts toward it) before it is forfeited.
    "AUCTION_PAYMENT_DAYS": 10,
    # Defaults the staff form proposes: deposit and bid increment as a share of the reserve price.
    "AUCTION_DEFAULT_DEPOSIT_RATIO": "0.10",
    "AUCTION_DEFAULT_INCREMENT_RATIO": "0.01",
    # Annual-fee reduction while an open-licence declaration stands (docs/rules.md, Open licence).
    "OPEN_LICENCE_FEE_REDUCTION": "0.15",
    # Largest patent evaluation report (专利权评价报告, PDF) a declaration accepts.
    "EVALUATION_REPORT_MAX_BYTES": 10 * 1024 * 1024,
    # A royalty report and its payment are due this many days after the period ends.
    "ROYALTY_DUE_DAYS": 30,
    # Licence contract filing (备案) is due this many months after the contract takes effect.
    "LICENCE_FILING_MONTHS": 3,
    # Days before the filing deadline on which the licensor is warned (each once).
    "LICENCE_FILING_WARNING_DAYS": (30, 7),
    # Pledge registry: decision within this many working days of a complete filing (专利权质押登记办法).
    "PLEDGE_REGISTRY_DECISION_WORKING_DAYS": 3,
    # The simulated registry examines each filing right after it is filed; off: staff examine, or the daily
    # sweep on the due date.
    "PLEDGE_REGISTRY_AUTO_EXAMINE": env_bool("PLEDGE_REGISTRY_AUTO_EXAMINE", True),
    # Days an instalment may stay overdue before the bank may declare default (verify against the contract).
    "PLEDGE_DEFAULT_GRACE_DAYS": 30,
    # Monitoring: warn this many days before an annual fee of a pledged patent falls due.
    "PLEDGE_MONITOR_FEE_DAYS": 60,
}

# IP finance (docs/finance.md): the terms a new risk-sharing scheme starts from, as Zhejiang's pilots commonly
# set them — each scheme's own documents decide (verify): shares of a loss and yearly caps in CNY by
# participant role, the premium rate and the caps on loan amount and rate.
FINANCE = {
    "RISK_SCHEME_DEFAULTS": {
        "shares": {"public_pool": "0.40", "insurer": "0.30", "guarantor": "0.10"},   # the bank bears 20 % (verify)
        "yearly_caps": {"public_pool": "50000000", "insurer": "20000000", "guarantor": "10000000"},  # verify
        "premium_rate_percent": "1.0",     # of the loan amount (verify)
        "max_amount": "10000000",          # a loan's amount, CNY (verify)
        "max_rate_percent": "4.5",         # a loan's yearly rate (verify)
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}, "axes": {"level": "WARNING"}, "pypdf": {"level": "ERROR"}},
}

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# TLS ends at the proxy in front of gunicorn (docker/): it says so in X-Forwarded-Proto.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes the health endpoint over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
