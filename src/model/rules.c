/*
 * rules.c - how each field is aggregated across instances.
 *
 * The vocabulary is HAProxy's own: every "show stat typed" / "show info
 * typed" field carries a three-letter tag (origin, nature, scope), e.g.
 * "MCP" = metric, counter, process. A field's rule derives from its nature
 * (counters, gauges, rates and limits are summed, maxima take the max, ages
 * the min, averages are averaged, names/status/config must agree). The
 * table below records the tag HAProxy 2.6 gives each field per object type,
 * so a test can compare it with a live HAProxy and the table cannot drift;
 * where the derived rule would mislead, an override says why.
 *
 * Must never: decide a rule from a field's position, or silently pick one
 * instance's value: a field without a row here must agree or is shown as
 * disagreeing.
 */
#include <string.h>

#include "haproxyadmin.h"
#include "model/rules.h"
#include "util/banned.h"

#define ROW(n, f, b, s)                                                                            \
	{                                                                                          \
		n, { f, b, s }, -1, NULL                                                           \
	}
#define OVR(n, f, b, s, r, why)                                                                    \
	{                                                                                          \
		n, { f, b, s }, r, why                                                             \
	}

/* "show stat" columns of HAProxy 2.6, in CSV order; tags per F, B, S row */
static const struct hap_rule_row stat_rows[] = {
	ROW("pxname", "KNS", "KNS", "KNS"),
	ROW("svname", "KNS", "KNS", "KNS"),
	ROW("qcur", NULL, "MGP", "MGP"),
	ROW("qmax", NULL, "MMP", "MMP"),
	ROW("scur", "MGP", "MGP", "MGP"),
	ROW("smax", "MMP", "MMP", "MMP"),
	ROW("slim", "CLP", "CLP", "CLP"),
	ROW("stot", "MCP", "MCP", "MCP"),
	ROW("bin", "MCP", "MCP", "MCP"),
	ROW("bout", "MCP", "MCP", "MCP"),
	ROW("dreq", "MCP", "MCP", NULL),
	ROW("dresp", "MCP", "MCP", "MCP"),
	ROW("ereq", "MCP", NULL, NULL),
	ROW("econ", NULL, "MCP", "MCP"),
	ROW("eresp", NULL, "MCP", "MCP"),
	ROW("wretr", NULL, "MCP", "MCP"),
	ROW("wredis", NULL, "MCP", "MCP"),
	ROW("status", "SGP", "SGP", "SGP"),
	OVR("weight", NULL, "MaP", "MaP", HAP_RULE_AGREE,
	    "a per-instance setting: an average would hide a weight changed on one instance"),
	OVR("act", NULL, "MGP", "SGP", HAP_RULE_AGREE,
	    "active servers of a backend (a flag for a server): the same on each instance, a sum "
	    "would count them once per instance"),
	OVR("bck", NULL, "MGP", "SGP", HAP_RULE_AGREE,
	    "backup servers of a backend (a flag for a server): a sum would count them once per "
	    "instance"),
	ROW("chkfail", NULL, NULL, "MCP"),
	ROW("chkdown", NULL, "MCP", "MCP"),
	ROW("lastchg", NULL, "MAP", "MAP"),
	OVR("downtime", NULL, "MCP", "MCP", HAP_RULE_MAX,
	    "seconds down on each instance: a sum over instances is not a duration"),
	ROW("qlimit", NULL, NULL, "CLP"),
	ROW("pid", "KGP", "KGP", "KGP"),
	ROW("iid", "KGS", "KGS", "KGS"),
	ROW("sid", "KGS", "KGS", "KGS"),
	OVR("throttle", NULL, NULL, "MaP", HAP_RULE_AVG, "a percentage"),
	ROW("lbtot", NULL, "MCP", "MCP"),
	ROW("tracked", NULL, NULL, "CNS"),
	ROW("type", "CGS", "CGS", "CGS"),
	ROW("rate", "MRP", "MGP", "MRP"),
	ROW("rate_lim", "CLP", NULL, NULL),
	OVR("rate_max", "MMP", "MGP", "MMP", HAP_RULE_MAX,
	    "a maximum; HAProxy 2.6 tags the backend one as a gauge"),
	ROW("check_status", NULL, NULL, "MOP"),
	ROW("check_code", NULL, NULL, "MOP"),
	ROW("check_duration", NULL, NULL, "MDP"),
	ROW("hrsp_1xx", "MCP", "MCP", "MCP"),
	ROW("hrsp_2xx", "MCP", "MCP", "MCP"),
	ROW("hrsp_3xx", "MCP", "MCP", "MCP"),
	ROW("hrsp_4xx", "MCP", "MCP", "MCP"),
	ROW("hrsp_5xx", "MCP", "MCP", "MCP"),
	ROW("hrsp_other", "MCP", "MCP", "MCP"),
	ROW("hanafail", NULL, NULL, "MCP"),
	ROW("req_rate", "MRP", NULL, NULL),
	ROW("req_rate_max", "MMP", NULL, NULL),
	ROW("req_tot", "MCP", "MCP", "MCP"),
	ROW("cli_abrt", NULL, "MCP", "MCP"),
	ROW("srv_abrt", NULL, "MCP", "MCP"),
	ROW("comp_in", "MCP", "MCP", NULL),
	ROW("comp_out", "MCP", "MCP", NULL),
	ROW("comp_byp", "MCP", "MCP", NULL),
	ROW("comp_rsp", "MCP", "MCP", NULL),
	ROW("lastsess", NULL, "MAP", "MAP"),
	ROW("last_chk", NULL, NULL, "MOP"),
	ROW("last_agt", NULL, NULL, "MOP"),
	ROW("qtime", NULL, "MaP", "MaP"),
	ROW("ctime", NULL, "MaP", "MaP"),
	ROW("rtime", NULL, "MaP", "MaP"),
	ROW("ttime", NULL, "MaP", "MaP"),
	ROW("agent_status", NULL, NULL, "MOP"),
	ROW("agent_code", NULL, NULL, "MOP"),
	ROW("agent_duration", NULL, NULL, "MDP"),
	ROW("check_desc", NULL, NULL, "MOP"),
	ROW("agent_desc", NULL, NULL, "MOP"),
	ROW("check_rise", NULL, NULL, "CGS"),
	ROW("check_fall", NULL, NULL, "CGS"),
	ROW("check_health", NULL, NULL, "CGS"),
	ROW("agent_rise", NULL, NULL, "CGS"),
	ROW("agent_fall", NULL, NULL, "CGS"),
	ROW("agent_health", NULL, NULL, "CGS"),
	ROW("addr", NULL, NULL, "CGS"),
	ROW("cookie", NULL, "CGS", "CGS"),
	ROW("mode", "CGS", "CGS", "CGS"),
	ROW("algo", NULL, "CGS", NULL),
	ROW("conn_rate", "MRP", NULL, NULL),
	ROW("conn_rate_max", "MMP", NULL, NULL),
	ROW("conn_tot", "MCP", NULL, NULL),
	ROW("intercepted", "MCP", NULL, NULL),
	ROW("dcon", "MCP", NULL, NULL),
	ROW("dses", "MCP", NULL, NULL),
	ROW("wrew", "MCP", "MCP", "MCP"),
	ROW("connect", NULL, "MCP", "MCP"),
	ROW("reuse", NULL, "MCP", "MCP"),
	ROW("cache_lookups", "MCP", "MCP", NULL),
	ROW("cache_hits", "MCP", "MCP", NULL),
	ROW("srv_icur", NULL, NULL, "MGP"),
	ROW("src_ilim", NULL, NULL, "CLP"),
	ROW("qtime_max", NULL, "MMP", "MMP"),
	ROW("ctime_max", NULL, "MMP", "MMP"),
	ROW("rtime_max", NULL, "MMP", "MMP"),
	ROW("ttime_max", NULL, "MMP", "MMP"),
	ROW("eint", "MCP", "MCP", "MCP"),
	ROW("idle_conn_cur", NULL, NULL, "MGP"),
	ROW("safe_conn_cur", NULL, NULL, "MGP"),
	ROW("used_conn_cur", NULL, NULL, "MGP"),
	ROW("need_conn_est", NULL, NULL, "MGP"),
	OVR("uweight", NULL, "MaP", "MaP", HAP_RULE_AGREE,
	    "a per-instance setting: an average would hide a weight changed on one instance"),
	OVR("agg_server_status", NULL, "MGP", NULL, HAP_RULE_AGREE,
	    "a status code, not a quantity"),
	OVR("agg_server_check_status", NULL, "MGP", NULL, HAP_RULE_AGREE,
	    "a status code, not a quantity"),
	OVR("agg_check_status", NULL, "MGP", NULL, HAP_RULE_AGREE, "a status code, not a quantity"),
	ROW("ssl_sess", "MCP", "MCP", "MCP"),
	ROW("ssl_reused_sess", "MCP", "MCP", "MCP"),
	ROW("ssl_failed_handshake", "MCP", "MCP", "MCP"),
	ROW("h2_headers_rcvd", "MCP", "MCP", NULL),
	ROW("h2_data_rcvd", "MCP", "MCP", NULL),
	ROW("h2_settings_rcvd", "MCP", "MCP", NULL),
	ROW("h2_rst_stream_rcvd", "MCP", "MCP", NULL),
	ROW("h2_goaway_rcvd", "MCP", "MCP", NULL),
	ROW("h2_detected_conn_protocol_errors", "MCP", "MCP", NULL),
	ROW("h2_detected_strm_protocol_errors", "MCP", "MCP", NULL),
	ROW("h2_rst_stream_resp", "MCP", "MCP", NULL),
	ROW("h2_goaway_resp", "MCP", "MCP", NULL),
	ROW("h2_open_connections", "MGP", "MGP", NULL),
	ROW("h2_backend_open_streams", "MGP", "MGP", NULL),
	ROW("h2_total_connections", "MCP", "MCP", NULL),
	ROW("h2_backend_total_streams", "MCP", "MCP", NULL),
	ROW("h1_open_connections", "MGP", "MGP", NULL),
	ROW("h1_open_streams", "MGP", "MGP", NULL),
	ROW("h1_total_connections", "MCP", "MCP", NULL),
	ROW("h1_total_streams", "MCP", "MCP", NULL),
	ROW("h1_bytes_in", "MCP", "MCP", NULL),
	ROW("h1_bytes_out", "MCP", "MCP", NULL),
	ROW("h1_spliced_bytes_in", "MCP", "MCP", NULL),
	ROW("h1_spliced_bytes_out", "MCP", "MCP", NULL),
};

/* "show info" keys of HAProxy 2.6 */
static const struct hap_rule_row info_rows[] = {
	ROW("Name", "POS", NULL, NULL),
	ROW("Version", "POS", NULL, NULL),
	ROW("Release_date", "POS", NULL, NULL),
	ROW("Nbthread", "CGS", NULL, NULL),
	ROW("Nbproc", "CGS", NULL, NULL),
	ROW("Process_num", "KGP", NULL, NULL),
	ROW("Pid", "SGP", NULL, NULL),
	ROW("Uptime", "MDP", NULL, NULL),
	OVR("Uptime_sec", "MDP", NULL, NULL, HAP_RULE_MIN,
	    "an age: the youngest instance shows a restart"),
	ROW("Memmax_MB", "CLP", NULL, NULL),
	ROW("PoolAlloc_MB", "MGP", NULL, NULL),
	ROW("PoolUsed_MB", "MGP", NULL, NULL),
	ROW("PoolFailed", "MCP", NULL, NULL),
	ROW("Ulimit-n", "CLP", NULL, NULL),
	ROW("Maxsock", "CLP", NULL, NULL),
	ROW("Maxconn", "CLP", NULL, NULL),
	ROW("Hard_maxconn", "CLP", NULL, NULL),
	ROW("CurrConns", "MGP", NULL, NULL),
	ROW("CumConns", "MCP", NULL, NULL),
	ROW("CumReq", "MCP", NULL, NULL),
	ROW("MaxSslConns", "MMP", NULL, NULL),
	ROW("CurrSslConns", "MGP", NULL, NULL),
	ROW("CumSslConns", "MCP", NULL, NULL),
	ROW("Maxpipes", "CLP", NULL, NULL),
	ROW("PipesUsed", "MGP", NULL, NULL),
	ROW("PipesFree", "MGP", NULL, NULL),
	ROW("ConnRate", "MRP", NULL, NULL),
	ROW("ConnRateLimit", "CLP", NULL, NULL),
	ROW("MaxConnRate", "MMP", NULL, NULL),
	ROW("SessRate", "MRP", NULL, NULL),
	ROW("SessRateLimit", "CLP", NULL, NULL),
	OVR("MaxSessRate", "MRP", NULL, NULL, HAP_RULE_MAX,
	    "a maximum; HAProxy 2.6 tags it as a rate"),
	ROW("SslRate", "MRP", NULL, NULL),
	ROW("SslRateLimit", "CLP", NULL, NULL),
	ROW("MaxSslRate", "MMP", NULL, NULL),
	ROW("SslFrontendKeyRate", "MGP", NULL, NULL),
	ROW("SslFrontendMaxKeyRate", "MMP", NULL, NULL),
	OVR("SslFrontendSessionReuse_pct", "MGP", NULL, NULL, HAP_RULE_AVG, "a percentage"),
	ROW("SslBackendKeyRate", "MRP", NULL, NULL),
	ROW("SslBackendMaxKeyRate", "MMP", NULL, NULL),
	ROW("SslCacheLookups", "MCP", NULL, NULL),
	ROW("SslCacheMisses", "MCP", NULL, NULL),
	ROW("CompressBpsIn", "MRP", NULL, NULL),
	ROW("CompressBpsOut", "MRP", NULL, NULL),
	ROW("CompressBpsRateLim", "CLP", NULL, NULL),
	ROW("Tasks", "MGP", NULL, NULL),
	ROW("Run_queue", "MGP", NULL, NULL),
	ROW("Idle_pct", "MaP", NULL, NULL),
	ROW("node", "COS", NULL, NULL),
	ROW("description", "COS", NULL, NULL),
	ROW("Stopping", "MGP", NULL, NULL),
	ROW("Jobs", "MGP", NULL, NULL),
	ROW("Unstoppable Jobs", "MGP", NULL, NULL),
	ROW("Listeners", "MGP", NULL, NULL),
	ROW("ActivePeers", "MGP", NULL, NULL),
	ROW("ConnectedPeers", "MGP", NULL, NULL),
	ROW("DroppedLogs", "MGP", NULL, NULL),
	ROW("BusyPolling", "MGP", NULL, NULL),
	ROW("FailedResolutions", "MGP", NULL, NULL),
	ROW("TotalBytesOut", "MGP", NULL, NULL),
	ROW("TotalSplicdedBytesOut", "MGP", NULL, NULL),
	ROW("BytesOutRate", "MRP", NULL, NULL),
	ROW("DebugCommandsIssued", "MGP", NULL, NULL),
	ROW("CumRecvLogs", "MCP", NULL, NULL),
	ROW("Build info", "POS", NULL, NULL),
	ROW("Memmax_bytes", "CLP", NULL, NULL),
	ROW("PoolAlloc_bytes", "MGP", NULL, NULL),
	ROW("PoolUsed_bytes", "MGP", NULL, NULL),
	OVR("Start_time_sec", "MDP", NULL, NULL, HAP_RULE_MAX,
	    "the latest start, consistent with the minimum uptime"),
	ROW("Tainted", "SGP", NULL, NULL),
	ROW("", "", NULL, NULL),
};

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

enum hap_rule hap_rule_of_tag(const char *tag)
{
	if (!tag || strlen(tag) < 2)
		return HAP_RULE_AGREE;
	switch (tag[0]) {
	case 'C':
		return tag[1] == 'L' ? HAP_RULE_SUM : HAP_RULE_AGREE;
	case 'M':
		switch (tag[1]) {
		case 'C':
		case 'G':
		case 'R':
			return HAP_RULE_SUM;
		case 'M':
			return HAP_RULE_MAX;
		case 'A':
			return HAP_RULE_MIN;
		case 'a':
		case 'D':
			return HAP_RULE_AVG;
		}
		return HAP_RULE_AGREE;
	}
	/* keys, status and product names */
	return HAP_RULE_AGREE;
}

const struct hap_rule_row *hap_rule_rows(int info, size_t *n)
{
	*n = info ? NROWS(info_rows) : NROWS(stat_rows);
	return info ? info_rows : stat_rows;
}

const struct hap_rule_row *hap_rule_find(int info, const char *name, size_t len)
{
	size_t n, i;
	const struct hap_rule_row *rows = hap_rule_rows(info, &n);

	for (i = 0; i < n; i++)
		if (strlen(rows[i].name) == len && memcmp(rows[i].name, name, len) == 0)
			return &rows[i];
	return NULL;
}

enum hap_rule hap_rule_of_row(const struct hap_rule_row *row, int type)
{
	const char *tag = NULL;
	int t;

	if (!row)
		return HAP_RULE_AGREE;
	if ((int)row->override >= 0)
		return (enum hap_rule)row->override;
	if (type >= 0 && type < 3)
		tag = row->tag[type];
	for (t = 0; !tag && t < 3; t++)
		tag = row->tag[t];
	return hap_rule_of_tag(tag);
}

enum hap_rule hap_field_rule(int type, const char *field)
{
	int info = type < 0;

	return hap_rule_of_row(hap_rule_find(info, field, strlen(field)), type);
}

const char *hap_rule_name(enum hap_rule rule)
{
	switch (rule) {
	case HAP_RULE_AGREE:
		return "agree";
	case HAP_RULE_SUM:
		return "sum";
	case HAP_RULE_MAX:
		return "max";
	case HAP_RULE_MIN:
		return "min";
	case HAP_RULE_AVG:
		return "avg";
	}
	return "agree";
}

size_t hap_known_field_count(int type)
{
	size_t n, i, c = 0;
	const struct hap_rule_row *rows = hap_rule_rows(type < 0, &n);

	if (type < 0)
		return n;
	for (i = 0; i < n && type < 3; i++)
		c += rows[i].tag[type] != NULL;
	return c;
}

const char *hap_known_field(int type, size_t i)
{
	size_t n, r, c = 0;
	const struct hap_rule_row *rows = hap_rule_rows(type < 0, &n);

	if (type < 0)
		return i < n ? rows[i].name : NULL;
	for (r = 0; r < n && type < 3; r++)
		if (rows[r].tag[type] && c++ == i)
			return rows[r].name;
	return NULL;
}

const char *hap_field_tag(int type, const char *field)
{
	const struct hap_rule_row *row = hap_rule_find(type < 0, field, strlen(field));

	if (!row || type >= 3)
		return NULL;
	return row->tag[type < 0 ? 0 : type];
}
