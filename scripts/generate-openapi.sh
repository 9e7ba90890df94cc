#!/usr/bin/env bash
# generate-openapi.sh: the JSON API's Swift code from its contract, Sources/ASBServer/openapi.yaml.
#
# swift-openapi-generator writes the API's types and its server side (the `APIProtocol` the
# handlers implement and the routes that decode requests and encode responses) ahead of time, into
# Sources/ASBServer/API/Generated, and the code is committed. Beside it the script writes
# OpenAPIGeneration.swift: the generator's version and the SHA-256 of the document, the
# configuration and each generated file. A test (OpenAPIGenerationTests) fails when any of them no
# longer matches, naming this script, so a change to openapi.yaml is: edit it, run this, commit all.
#
# Why not the package's build plugin: it builds the generator (OpenAPIKit, Yams, ArgumentParser
# and the tool) before anything else in every clean build, two to two and a half minutes of the
# build on 2 cores, and CI builds from a clean clone each run. Here it is built once, in
# .build-openapi-generator (the first run takes those minutes; later runs take seconds).
#
# Usage: scripts/generate-openapi.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tool_package=scripts/openapi-generator
scratch=.build-openapi-generator
document=Sources/ASBServer/openapi.yaml
config="$tool_package/openapi-generator-config.yaml"
out=Sources/ASBServer/API/Generated
version="$(sed -n 's/.*swift-openapi-generator\.git", exact: "\([0-9.]*\)".*/\1/p' "$tool_package/Package.swift")"
[ -n "$version" ] || { echo "generate-openapi.sh: no exact generator version in $tool_package/Package.swift" >&2; exit 1; }

swift build --package-path "$tool_package" --scratch-path "$scratch" --product swift-openapi-generator
generator="$(swift build --package-path "$tool_package" --scratch-path "$scratch" --show-bin-path)/swift-openapi-generator"

mkdir -p "$out"
rm -f "$out"/*.swift
"$generator" generate "$document" --config "$config" --output-directory "$out"
# The generator writes an empty Client.swift when no client is asked for: nothing to keep.
for file in "$out"/*.swift; do [ -s "$file" ] || rm "$file"; done

digest() { sha256sum "$1" | cut -d' ' -f1; }
{
    echo "// Written by scripts/generate-openapi.sh with the files beside it; do not modify."
    echo "// OpenAPIGenerationTests checks the document, the configuration and each file against these."
    echo "enum OpenAPIGeneration {"
    echo "    /// The generator that wrote the code beside this file."
    echo "    static let generator = \"swift-openapi-generator $version\""
    echo "    /// The SHA-256 (hex) of each input and output, by its path from the package's root."
    echo "    static let sha256: [String: String] = ["
    for file in "$document" "$config" $(ls "$out"/*.swift | LC_ALL=C sort); do
        echo "        \"$file\": \"$(digest "$file")\","
    done
    echo "    ]"
    echo "}"
} > "$out/OpenAPIGeneration.swift.new"
mv "$out/OpenAPIGeneration.swift.new" "$out/OpenAPIGeneration.swift"
echo "generate-openapi.sh: $(ls "$out" | wc -l) files in $out from $document (swift-openapi-generator $version)"
