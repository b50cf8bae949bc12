/*
 * The manifest module (parse + validate + order of a 10,000-object stream)
 * against libyaml's raw event parse of the same bytes. Each mode runs in
 * its own process so that peak RSS belongs to one contender;
 * bench/bench_manifest.sh runs them side by side with Python's
 * yaml.CSafeLoader and prints the ratios.
 *
 * usage: bench_manifest gen FILE [OBJECTS]   write the generated stream (default 10,000 objects)
 *        bench_manifest time FILE [RUNS]     both, interleaved run by run (fair on a busy machine):
 *                                            "raw_ms: N" and "cicd_ms: N", best of RUNS
 *        bench_manifest raw FILE [RUNS]      libyaml events only
 *        bench_manifest cicd FILE [RUNS]     cicd_manifest_set_add_buffer + _validate + _sort
 * raw and cicd print "best_ms: N" and "peak_rss_kib: N" (peak RSS includes the input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cicd/cicd.h"
#include "util.h"

static void put_deployment(FILE *f, size_t i)
{
	size_t e;
	fprintf(
	    f,
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: service-%zu\n  namespace: team-%zu\n"
	    "  labels:\n    app.kubernetes.io/name: service-%zu\n    app.kubernetes.io/part-of: shop\n"
	    "    app.kubernetes.io/version: \"1.%zu.0\"\n  annotations:\n"
	    "    deployment.kubernetes.io/revision: \"%zu\"\n    example.com/owner: team-%zu@example.com\n"
	    "spec:\n  replicas: %zu\n  revisionHistoryLimit: 5\n  selector:\n    matchLabels:\n"
	    "      app.kubernetes.io/name: service-%zu\n  strategy:\n    type: RollingUpdate\n"
	    "    rollingUpdate: {maxSurge: 25%%, maxUnavailable: 0}\n  template:\n    metadata:\n"
	    "      labels:\n        app.kubernetes.io/name: service-%zu\n    spec:\n"
	    "      serviceAccountName: service-%zu\n      securityContext: {runAsNonRoot: true, runAsUser: 10001}\n"
	    "      containers:\n        - name: app\n          image: registry.example.com/shop/service-%zu:1.%zu.0\n"
	    "          ports:\n            - {name: http, containerPort: 8080}\n"
	    "            - {name: metrics, containerPort: 9090}\n          env:\n",
	    i, i % 50, i, i % 100, i % 7 + 1, i % 50, i % 5 + 1, i, i, i, i, i % 100);
	for (e = 0; e < 20; e++)
		fprintf(f, "            - name: SETTING_%zu\n              value: \"value-%zu-%zu\"\n", e, i, e);
	fprintf(f,
	        "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n"
	        "            limits: {cpu: \"1\", memory: 512Mi}\n          readinessProbe:\n"
	        "            httpGet: {path: /healthz, port: http}\n            periodSeconds: 10\n"
	        "          livenessProbe:\n            httpGet: {path: /livez, port: http}\n"
	        "            initialDelaySeconds: 15\n        - name: proxy\n"
	        "          image: registry.example.com/infra/envoy:1.29.%zu\n          args: [\"--config\", "
	        "\"/etc/envoy/envoy.yaml\", \"--log-level\", \"warn\"]\n          volumeMounts:\n"
	        "            - {name: envoy, mountPath: /etc/envoy}\n      volumes:\n"
	        "        - name: envoy\n          configMap: {name: envoy-%zu}\n",
	        i % 10, i);
}

static void put_config(FILE *f, size_t i)
{
	size_t k;
	fprintf(f,
	        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: envoy-%zu\n  namespace: team-%zu\n"
	        "  labels: {app.kubernetes.io/name: service-%zu}\ndata:\n",
	        i, i % 50, i);
	for (k = 0; k < 26; k++)
		fprintf(
		    f,
		    "  key-%zu: \"setting %zu of service %zu, with a longer value to look like real configuration\"\n",
		    k, k, i);
	fprintf(f,
	        "  envoy.yaml: |\n    static_resources:\n      listeners:\n        - name: listener_%zu\n"
	        "          address: {socket_address: {address: 0.0.0.0, port_value: 10000}}\n",
	        i);
}

static void put_service(FILE *f, size_t i)
{
	fprintf(f,
	        "apiVersion: v1\nkind: Service\nmetadata:\n  name: service-%zu\n  namespace: team-%zu\n"
	        "  labels: {app.kubernetes.io/name: service-%zu}\nspec:\n  type: ClusterIP\n"
	        "  selector: {app.kubernetes.io/name: service-%zu}\n  ports:\n"
	        "    - {name: http, port: 80, targetPort: http, protocol: TCP}\n"
	        "    - {name: metrics, port: 9090, targetPort: metrics, protocol: TCP}\n",
	        i, i % 50, i, i);
}

static void generate(const char *path, size_t objects)
{
	FILE *f = fopen(path, "wb");
	size_t i;
	if (!f) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	for (i = 0; i < 50; i++)
		fprintf(f, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-%zu\n---\n", i);
	for (i = 50; i < objects; i++) {
		size_t n = i / 3;
		if (i % 3 == 0)
			put_deployment(f, n);
		else if (i % 3 == 1)
			put_config(f, n);
		else
			put_service(f, n);
		if (i + 1 < objects)
			fputs("---\n", f);
	}
	fclose(f);
}

static void raw_parse(const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int done = 0;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "libyaml failed\n");
			exit(1);
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
}

static size_t cicd_run(const char *buf, size_t len)
{
	cicd_manifest_set *set = NULL;
	cicd_diagnostics *d = NULL;
	size_t n;
	if (cicd_manifest_set_new(&set) || cicd_manifest_set_add_buffer(set, buf, len, "bench.yaml", NULL) ||
	    cicd_manifest_set_validate(&d, set, NULL) || cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_APPLY)) {
		const cicd_error *e = cicd_error_last();
		fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
		exit(1);
	}
	n = cicd_manifest_set_count(set);
	cicd_diagnostics_free(d);
	cicd_manifest_set_free(set);
	return n;
}

int main(int argc, char **argv)
{
	size_t len, objects = 0;
	char *buf;
	int runs, i;
	double best = 1e9;
	if (argc < 3) {
		fprintf(stderr, "usage: bench_manifest gen|raw|cicd FILE [N]\n");
		return 2;
	}
	if (!strcmp(argv[1], "gen")) {
		generate(argv[2], argc > 3 ? (size_t)atol(argv[3]) : 10000);
		return 0;
	}
	buf = bench_read_file(argv[2], &len);
	runs = argc > 3 ? atoi(argv[3]) : 3;
	if (!strcmp(argv[1], "time")) {
		double best_raw = 1e9, t0, t;
		for (i = 0; i < runs; i++) {
			t0 = bench_now();
			raw_parse(buf, len);
			t = bench_now() - t0;
			best_raw = t < best_raw ? t : best_raw;
			t0 = bench_now();
			objects = cicd_run(buf, len);
			t = bench_now() - t0;
			best = t < best ? t : best;
		}
		printf("objects: %zu\nraw_ms: %.1f\ncicd_ms: %.1f\n", objects, best_raw * 1e3, best * 1e3);
		free(buf);
		return 0;
	}
	for (i = 0; i < runs; i++) {
		double t0 = bench_now(), t;
		if (!strcmp(argv[1], "raw"))
			raw_parse(buf, len);
		else
			objects = cicd_run(buf, len);
		t = bench_now() - t0;
		if (t < best)
			best = t;
	}
	printf("input_bytes: %zu\n", len);
	if (objects)
		printf("objects: %zu\n", objects);
	printf("best_ms: %.1f\n", best * 1e3);
	printf("peak_rss_kib: %ld\n", bench_peak_rss_kib());
	free(buf);
	return 0;
}
