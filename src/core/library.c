/* Library-wide entry points: version and process-wide setup. */
#include <curl/curl.h>

#include "cicd/core.h"
#include "cicd/errors.h"
#include "cicd/version.h"
#include "error.h"

const char *cicd_version(void)
{
	return CICD_VERSION;
}

void cicd_version_numbers(int *major, int *minor, int *patch)
{
	if (major)
		*major = CICD_VERSION_MAJOR;
	if (minor)
		*minor = CICD_VERSION_MINOR;
	if (patch)
		*patch = CICD_VERSION_PATCH;
}

static int g_init_count = 0;

int cicd_init(void)
{
	if (g_init_count == 0) {
		/* libcurl initialises OpenSSL for us. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return cicd__error_set(CICD_ERROR, "libcurl global initialisation failed");
	}
	g_init_count++;
	return 0;
}

void cicd_shutdown(void)
{
	if (g_init_count == 0)
		return;
	if (--g_init_count == 0)
		curl_global_cleanup();
}
