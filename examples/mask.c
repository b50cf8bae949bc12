/*
 * mask: stream a job trace through a masker, the way a runner does before a
 * byte leaves the machine, and print the masked trace with the checksum the
 * runner reports to GitLab.
 *
 *   example_mask [--stdin] VALUE...
 * The arguments are the masked variables' values; the trace is a built-in
 * sample, or standard input with --stdin. The sample writes the password in
 * two pieces, as a slow job might, then a personal access token and a
 * signed URL.
 *
 * check-args: hunter2-very-secret
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cicd/cicd.h>

static const char *const sample[] = {
	"$ docker login -p hunter2-ve",
	"ry-secret registry.example\n",
	"$ git clone https://oauth2:glpat-AbCd3fGh1jKlMn0pQrSt@gitlab.example/app.git\n",
	"$ curl 'https://s3.example/b/o?X-Amz-Signature=8f2c1d&x=1'\n",
};

static int put(cicd_buf *out)
{
	if (out->size && fwrite(out->ptr, 1, out->size, stdout) != out->size)
		return -1;
	out->size = 0;
	return 0;
}

int main(int argc, char **argv)
{
	cicd_mask *mask = NULL;
	cicd_buf out = CICD_BUF_INIT;
	char chunk[4096];
	size_t n, i;
	int rc, from_stdin = argc > 1 && !strcmp(argv[1], "--stdin");
	if (cicd_mask_new(&mask, (const char *const *)(argv + 1 + from_stdin), NULL, (size_t)(argc - 1 - from_stdin),
			  NULL) != 0) {
		fprintf(stderr, "%s\n", cicd_error_last()->message);
		return 1;
	}
	/* Each write appends what is decided; bytes that may start a secret wait for the next write. */
	while (from_stdin && (n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
		if ((rc = cicd_mask_write(mask, &out, chunk, n)) != 0 || put(&out) != 0)
			goto fail;
	}
	for (i = 0; !from_stdin && i < sizeof sample / sizeof sample[0]; i++)
		if ((rc = cicd_mask_write(mask, &out, sample[i], strlen(sample[i]))) != 0 || put(&out) != 0)
			goto fail;
	if ((rc = cicd_mask_finish(mask, &out)) != 0 || put(&out) != 0)
		goto fail;
	printf("checksum crc32:%08x, %llu bytes\n", (unsigned)cicd_mask_crc32(mask),
	       (unsigned long long)cicd_mask_bytes(mask));
	cicd_buf_dispose(&out);
	cicd_mask_free(mask);
	return 0;
fail:
	fprintf(stderr, "%s\n", cicd_error_last()->message);
	cicd_buf_dispose(&out);
	cicd_mask_free(mask);
	return 1;
}
