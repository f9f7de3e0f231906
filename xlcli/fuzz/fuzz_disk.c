// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: disk specification strings. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xl_disk disk;
	char *spec, *err = NULL;
	json_object *j;

	spec = strndup((const char *)data, size);
	if (!spec)
		return 0;
	if (!xl_disk_parse(spec, &disk, &err)) {
		j = xl_disk_to_json(&disk);
		json_object_to_json_string(j);
		json_object_put(j);
		xl_disk_dispose(&disk);
	}
	free(err);
	free(spec);
	return 0;
}
