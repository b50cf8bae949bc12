/* Pod logs as a stream: GET .../pods/NAME/log, the bytes handed to a callback as they arrive. */
#include <string.h>

#include "core/error.h"
#include "kube_internal.h"

int cicd_kube_log_options_init(cicd_kube_log_options *opts, unsigned int version)
{
	static const cicd_kube_log_options init = CICD_KUBE_LOG_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_LOG_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_log_options version %u", version);
	*opts = init;
	return 0;
}

typedef struct log_sink {
	cicd_kube_data_cb cb;
	void *payload;
	int user_rc;
} log_sink;

static int forward(const char *data, size_t len, void *payload)
{
	log_sink *s = payload;
	int rc = s->cb(data, len, s->payload);
	if (rc) {
		s->user_rc = rc;
		return rc;
	}
	return 0;
}

int cicd_kube_logs(cicd_kube_client *c, const char *namespace_name, const char *pod, const cicd_kube_log_options *opts,
		   cicd_kube_data_cb cb, void *payload)
{
	const kube_resource *res;
	cicd_buf path = CICD_BUF_INIT, what = CICD_BUF_INIT;
	kube_request req;
	log_sink sink;
	int rc;
	if (!c || !pod || !*pod || !cb)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_logs: client, pod and callback are required");
	if (opts && opts->version != CICD_KUBE_LOG_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_log_options version %u", opts->version);
	if ((rc = kube__resource_for(&res, c, "v1", "Pod")) || (rc = kube__object_path(&path, c, res, namespace_name, pod)))
		goto done;
	rc = cicd__buf_puts(&path, "/log?");
	if (!rc && opts && opts->container && *opts->container)
		rc = cicd__buf_puts(&path, "&container=") || kube__buf_put_query(&path, opts->container) ? CICD_ENOMEM : 0;
	if (!rc && opts && opts->follow)
		rc = cicd__buf_puts(&path, "&follow=true");
	if (!rc && opts && opts->since_seconds > 0)
		rc = cicd__buf_printf(&path, "&sinceSeconds=%ld", opts->since_seconds);
	if (!rc && opts && opts->tail_lines >= 0)
		rc = cicd__buf_printf(&path, "&tailLines=%ld", opts->tail_lines);
	if (!rc && opts && opts->timestamps)
		rc = cicd__buf_puts(&path, "&timestamps=true");
	if (!rc && opts && opts->previous)
		rc = cicd__buf_puts(&path, "&previous=true");
	if (!rc && opts && opts->limit_bytes > 0)
		rc = cicd__buf_printf(&path, "&limitBytes=%ld", opts->limit_bytes);
	if (rc || (rc = kube__request_init(&req, c, "GET", path.ptr)))
		goto done;
	sink.cb = cb;
	sink.payload = payload;
	sink.user_rc = 0;
	req.on_data = forward;
	req.payload = &sink;
	req.stream = opts && opts->follow;
	req.accept = "*/*";
	rc = kube__http_one(c, &req);
	if (sink.user_rc) {
		rc = sink.user_rc; /* the callback's own value comes back untouched */
	} else if (!rc && req.status != 200) {
		cicd__buf_printf(&what, "logs of pod %s/%s", kube__namespace_for(c, res, namespace_name), pod);
		rc = kube__status_error(&req, what.ptr ? what.ptr : "logs");
	}
	kube__request_dispose(&req);
done:
	cicd_buf_dispose(&path);
	cicd_buf_dispose(&what);
	return rc;
}
