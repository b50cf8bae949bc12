/* Rendering objects and sets back to YAML or JSON. */
#include "core/buf.h"
#include "core/error.h"
#include "core/json_writer.h"
#include "core/node_emit.h"
#include "manifest.h"

static int check_format(cicd_manifest_format format)
{
	if (format != CICD_MANIFEST_FORMAT_YAML && format != CICD_MANIFEST_FORMAT_JSON)
		return cicd__error_set(CICD_EINVALID, "render format must be YAML or JSON, not %d", (int)format);
	return 0;
}

int cicd_manifest_render(cicd_buf *out, const cicd_manifest *obj, cicd_manifest_format format, unsigned int flags)
{
	int rc;
	if (!out || !obj)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_render: out and obj are required");
	if ((rc = check_format(format)))
		return rc;
	if (format == CICD_MANIFEST_FORMAT_YAML)
		return cicd_node_to_yaml(out, obj->root, flags & CICD_FORMAT_SORT_KEYS);
	return cicd_node_to_json(out, obj->root, flags);
}

int cicd_manifest_set_render(cicd_buf *out, const cicd_manifest_set *set, cicd_manifest_format format,
                             unsigned int flags)
{
	cicd_json_writer *w;
	size_t i;
	int rc;
	if (!out || !set)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_render: out and set are required");
	if ((rc = check_format(format)))
		return rc;
	if (format == CICD_MANIFEST_FORMAT_YAML) {
		for (i = 0; i < set->count && !rc; i++) {
			if (i)
				rc = cicd__buf_puts(out, "---\n");
			if (!rc)
				rc = cicd_node_to_yaml(out, set->items[i]->root, flags & CICD_FORMAT_SORT_KEYS);
		}
		return rc;
	}
	w = cicd__json_new(out, (flags & CICD_FORMAT_PRETTY) != 0);
	if (!w)
		return CICD_ENOMEM;
	cicd__json_begin_object(w);
	cicd__json_kv_string(w, "apiVersion", "v1");
	cicd__json_kv_string(w, "kind", "List");
	cicd__json_key(w, "items");
	cicd__json_begin_array(w);
	for (i = 0; i < set->count; i++) {
		rc = cicd__write_node_json(w, set->items[i]->root, flags);
		if (rc) {
			cicd__json_abandon(w);
			return rc;
		}
	}
	cicd__json_end_array(w);
	cicd__json_end_object(w);
	return cicd__json_finish(w);
}
