/* Internal: writing nodes into a JSON writer or a YAML emitter. */
#ifndef CICD_CORE_NODE_EMIT_H
#define CICD_CORE_NODE_EMIT_H

#include "document.h"
#include "json_writer.h"

int cicd__write_node_json(cicd_json_writer *w, const cicd_node *node, unsigned int flags);
int cicd__write_scalar_json(cicd_json_writer *w, const cicd_node *scalar);

#endif
