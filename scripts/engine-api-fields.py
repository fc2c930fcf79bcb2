#!/usr/bin/env python3
"""Extracts the JSON field names of every type in Docker's Engine API swagger file (moby's api/swagger.yaml).

Usage: scripts/engine-api-fields.py SWAGGER.yaml > daemon/src/test/resources/engine-api-fields.txt

One line per type: "Type: Field Field ...", with allOf parts resolved, objects given inline (or
arrays of them) as "Type.Field", and the 200 answers of paths without a named type as "GET /path". ApiShapesTest checks
berthd's answers against these lines (facts of the reference, none of its prose). Needs python3-yaml.
"""
import sys

import yaml


def main(path):
    doc = yaml.safe_load(open(path))
    defs = doc["definitions"]
    out = {}

    def fields(schema, name):
        names = []
        if "$ref" in schema:
            return fields(defs[schema["$ref"].split("/")[-1]], None)
        for part in schema.get("allOf", []):
            names += fields(part, name)
        for field, sub in schema.get("properties", {}).items():
            names.append(field)
            inline = sub.get("items", {}) if sub.get("type") == "array" else sub
            if name is not None and "$ref" not in inline and inline.get("properties"):
                out[name + "." + field] = fields(inline, name + "." + field)
        return names

    for name, schema in defs.items():
        out[name] = fields(schema, name)
    for p, methods in doc["paths"].items():
        for method, op in methods.items():
            schema = op.get("responses", {}).get(200, op.get("responses", {}).get("200", {})).get("schema", {})
            if "$ref" not in schema and schema.get("properties"):
                key = method.upper() + " " + p
                out[key] = fields(schema, key)
    print("# Engine API " + str(doc["info"]["version"]) + " fields per type, from moby's api/swagger.yaml (scripts/engine-api-fields.py)")
    for name in sorted(out):
        print(name + ": " + " ".join(out[name]))


if __name__ == "__main__":
    main(sys.argv[1])
