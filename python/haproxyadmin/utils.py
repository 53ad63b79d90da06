"""Constants of the original library: states and metric lists.

The metric lists are the original's, in its order. METRICS_SUM and
METRICS_AVG are the original's aggregation lists; haproxyadmin uses them
only when the instances disagree on a value the C library wants equal (for
example 'weight'): everything else is aggregated by the C library's
per-field rules (sums of counters, max of maxima, min of ages, ...).
"""

STATE_ENABLE = 'enable'
STATE_DISABLE = 'disable'
STATE_READY = 'ready'
STATE_DRAIN = 'drain'
STATE_MAINT = 'maint'
VALID_STATES = [STATE_ENABLE, STATE_DISABLE, STATE_MAINT, STATE_DRAIN, STATE_READY]

HAPROXY_METRICS = [
    'SslFrontendMaxKeyRate', 'Hard_maxconn', 'SessRateLimit', 'Process_num',
    'Memmax_MB', 'CompressBpsRateLim', 'MaxSslConns', 'ConnRateLimit',
    'SslRateLimit', 'MaxConnRate', 'CumConns', 'SslBackendKeyRate',
    'SslCacheLookups', 'CurrSslConns', 'Run_queue', 'Maxpipes', 'Idle_pct',
    'SslFrontendKeyRate', 'Tasks', 'MaxZlibMemUsage',
    'SslFrontendSessionReuse_pct', 'CurrConns', 'SslCacheMisses', 'SslRate',
    'CumSslConns', 'PipesUsed', 'Maxconn', 'CompressBpsIn', 'ConnRate',
    'Ulimit-n', 'SessRate', 'SslBackendMaxKeyRate', 'CumReq', 'PipesFree',
    'ZlibMemUsage', 'Uptime_sec', 'CompressBpsOut', 'Maxsock', 'MaxSslRate',
    'MaxSessRate',
]

FRONTEND_METRICS = [
    'bin', 'bout', 'comp_byp', 'comp_in', 'comp_out', 'comp_rsp', 'dreq',
    'dresp', 'ereq', 'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx',
    'hrsp_5xx', 'hrsp_other', 'rate', 'rate_lim', 'rate_max', 'req_rate',
    'req_rate_max', 'req_tot', 'scur', 'slim', 'smax', 'stot',
]

BACKEND_METRICS = [
    'act', 'bck', 'bin', 'bout', 'chkdown', 'cli_abrt', 'comp_byp', 'comp_in',
    'comp_out', 'comp_rsp', 'ctime', 'downtime', 'dreq', 'dresp', 'econ',
    'eresp', 'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx',
    'hrsp_other', 'lastchg', 'lastsess', 'lbtot', 'qcur', 'qmax', 'qtime',
    'rate', 'rate_max', 'rtime', 'scur', 'slim', 'smax', 'srv_abrt', 'stot',
    'ttime', 'weight', 'wredis', 'wretr',
]

SERVER_METRICS = [
    'qcur', 'qmax', 'scur', 'smax', 'stot', 'bin', 'bout', 'dresp', 'econ',
    'eresp', 'wretr', 'wredis', 'weight', 'act', 'bck', 'chkfail', 'chkdown',
    'lastchg', 'downtime', 'qlimit', 'throttle', 'lbtot', 'rate', 'rate_max',
    'check_duration', 'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx',
    'hrsp_5xx', 'hrsp_other', 'cli_abrt', 'srv_abrt', 'lastsess', 'qtime',
    'ctime', 'rtime', 'ttime', 'slim',
]

METRICS_SUM = [
    'CompressBpsIn', 'CompressBpsOut', 'CompressBpsRateLim', 'ConnRate',
    'ConnRateLimit', 'CumConns', 'CumReq', 'CumSslConns', 'CurrConns',
    'CurrSslConns', 'Hard_maxconn', 'Idle_pct', 'MaxConnRate', 'MaxSessRate',
    'MaxSslConns', 'MaxSslRate', 'MaxZlibMemUsage', 'Maxconn', 'Maxpipes',
    'Maxsock', 'Memmax_MB', 'PipesFree', 'PipesUsed', 'Process_num',
    'Run_queue', 'SessRate', 'SessRateLimit', 'SslBackendKeyRate',
    'SslBackendMaxKeyRate', 'SslCacheLookups', 'SslCacheMisses',
    'SslFrontendKeyRate', 'SslFrontendMaxKeyRate',
    'SslFrontendSessionReuse_pct', 'SslRate', 'SslRateLimit', 'Tasks',
    'Ulimit-n', 'ZlibMemUsage', 'bin', 'bout', 'chkdown', 'chkfail',
    'comp_byp', 'comp_in', 'comp_out', 'comp_rsp', 'cli_abrt', 'dreq',
    'dresp', 'ereq', 'eresp', 'econ', 'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx',
    'hrsp_4xx', 'hrsp_5xx', 'hrsp_other', 'lbtot', 'qcur', 'qmax', 'rate',
    'rate_lim', 'rate_max', 'req_rate', 'req_rate_max', 'req_tot', 'scur',
    'slim', 'srv_abrt', 'smax', 'stot', 'wretr', 'wredis',
]

METRICS_AVG = [
    'act', 'bck', 'check_duration', 'ctime', 'downtime', 'lastchg',
    'lastsess', 'qlimit', 'qtime', 'rtime', 'throttle', 'ttime', 'weight',
]
