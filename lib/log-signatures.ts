/**
 * Log messages that mean the ZenML server (or its migration container) is failing, shared by the
 * synth-time log alerts (`modules/log-alerts.ts`: metric filters) and the post-deploy diagnosis
 * (`scripts/verify/signatures.ts`). Kept here, in lib/, so both read the same strings: scripts may
 * import lib/, lib/ and modules/ never import scripts/. The migration container's lock-timeout message
 * belongs to its program: `migrationLockTimeoutMessage` in lib/zenml-environment.ts.
 */
/**
 * Messages the ZenML server logs when it cannot authenticate to the ZenML Pro control plane, from
 * `src/zenml/zen_server/cloud_utils.py` (ZenMLCloudConnection): `_fetch_auth_token` raises
 * "Error fetching auth token from the Cloud API: ..." when the OAuth2 client-credentials login
 * fails (wrong or rotated client secret) and "Could not fetch auth token from the Cloud API." when
 * the answer has no token; `request` retries once after a 401 with a new login, then raises
 * "Failed while trying to contact the central zenml pro service: 401 Client Error: ..." (the
 * requests HTTPError text). A 403 is raised as IllegalOperationError, which ZenML also raises for
 * ordinary permission errors of users, so it is not matched (it would alarm on user mistakes).
 */
export const CONTROL_PLANE_AUTH_FAILURE_TERMS = [
  "Error fetching auth token from the Cloud API",
  "Could not fetch auth token from the Cloud API",
  "zenml pro service: 401 Client Error",
] as const;

/**
 * Database connection errors as PyMySQL (the driver ZenML's SQL store uses: `mysql+pymysql` in
 * `src/zenml/zen_stores/sql_zen_store.py`, SqlZenStoreConfiguration.get_sqlalchemy_config) raises
 * them and SQLAlchemy logs them as `(pymysql.err.OperationalError) (<code>, "<message>")`:
 * 2003 "Can't connect to MySQL server on ..." (`pymysql/connections.py`, Connection.connect),
 * 2013 "Lost connection to MySQL server during query" (`pymysql/connections.py`, _read_bytes),
 * 2006 "MySQL server has gone away" (`pymysql/connections.py`, _write_bytes), and the server's
 * 1045 "Access denied for user ..." (ER_ACCESS_DENIED_ERROR: a wrong or rotated password).
 */
export const DB_CONNECTION_ERROR_TERMS = [
  "Can't connect to MySQL server",
  "Lost connection to MySQL server",
  "MySQL server has gone away",
  "Access denied for user",
] as const;

/** 2003: the host does not answer (security group, network, RDS stopped or the wrong endpoint). */
export const MYSQL_UNREACHABLE_TERM = DB_CONNECTION_ERROR_TERMS[0];
/** 2013 and 2006: an open connection broke (failover, reboot, idle timeout). */
export const MYSQL_CONNECTION_LOST_TERMS = [DB_CONNECTION_ERROR_TERMS[1], DB_CONNECTION_ERROR_TERMS[2]] as const;
/** 1045: wrong user or password. */
export const MYSQL_ACCESS_DENIED_TERM = DB_CONNECTION_ERROR_TERMS[3];

/** The MySQL server's text for error 3159 (ER_SECURE_TRANSPORT_REQUIRED), sent when a client connects without TLS to an instance with `require_secure_transport=ON`. */
export const MYSQL_INSECURE_TRANSPORT_TERM = "Connections using insecure transport are prohibited";

/** OpenSSL's verification failure as Python's `ssl` module words it (`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ...`). */
export const CERTIFICATE_VERIFY_FAILED_TERM = "CERTIFICATE_VERIFY_FAILED";

/** pydantic v2's `extra_forbidden` error text: a setting the model (e.g. SqlZenStoreConfiguration of a release without `ssl`) does not know. */
export const PYDANTIC_EXTRA_FORBIDDEN_TERM = "Extra inputs are not permitted";

/**
 * ZenML's `get_logging_level` (`src/zenml/logger.py`) raises
 * `KeyError(f"Verbosity must be one of {list(LoggingLevels.__members__.keys())}")` for a
 * `ZENML_LOGGING_VERBOSITY` that is no member of `LoggingLevels` (`src/zenml/enums.py`), e.g. `WARNING`
 * in releases whose enum has only `WARN`.
 */
export const LOGGING_VERBOSITY_INVALID_TERM = "Verbosity must be one of";

/**
 * The same mistake caught earlier: `CustomFormatter.format_template` in `src/zenml/logger.py` evaluates
 * `LoggingLevels[ZENML_LOGGING_VERBOSITY]` at import time, so the traceback names that expression and
 * ends in a bare `KeyError: 'WARNING'`.
 */
export const LOGGING_VERBOSITY_KEYERROR_TERM = "LoggingLevels[ZENML_LOGGING_VERBOSITY]";
