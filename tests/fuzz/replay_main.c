/*
 * Replays a libFuzzer corpus without libFuzzer: every file under the given
 * directories (or the files given) goes through LLVMFuzzerTestOneInput once.
 * This is how the seed corpora run as regression tests in every build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long size;
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (!buf || (size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size)) {
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	return 0;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "missing corpus %s\n", path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		char child[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(child, sizeof child, "%s/%s", path, e->d_name);
		rc |= run_path(child, count);
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, rc = 0;
	for (i = 1; i < argc; i++)
		rc |= run_path(argv[i], &count);
	if (count == 0) {
		fprintf(stderr, "no corpus input replayed\n");
		return 1;
	}
	printf("replayed %u inputs\n", count);
	return rc;
}
