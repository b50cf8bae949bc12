/*
 * libFuzzer target: kubeconfig parsing and context resolution. The first
 * byte picks a context name to ask for (none, or one the input may define)
 * so both the current-context and the explicit path are explored.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/kube.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const contexts[] = {NULL, "c", "dev", ""};
	cicd_kube_config_options opts = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	if (size) {
		opts.context = contexts[data[0] & 3];
		opts.namespace_name = (data[0] & 4) ? "ns" : NULL;
		data++;
		size--;
	}
	if (cicd_kube_config_parse(&cfg, (const char *)data, size, "fuzz-kubeconfig", &opts) == 0) {
		/* every getter works on whatever was accepted */
		(void)strlen(cicd_kube_config_server(cfg));
		(void)strlen(cicd_kube_config_context(cfg));
		(void)strlen(cicd_kube_config_namespace(cfg));
		(void)strlen(cicd_kube_config_auth_kind(cfg));
		cicd_kube_config_free(cfg);
	}
	return 0;
}
