// YAML oracle: for every document of a corpus, records what Go's yaml.v3 (the library Atmos uses) and
// encoding/json make of it, as golden files for the C++ loader and printers.
//
// Usage: go run main.go <corpus-dir> <golden-dir>
//
// For <corpus-dir>/<name>.yaml it writes <golden-dir>/<name>.golden, a sequence of sections
// "=== <kind> <byte-count>\n<bytes>\n":
//
//	typed       yaml.Unmarshal into `any`, as a typed dump (format below)
//	error       yaml.Unmarshal's error text instead, when it fails
//	yaml        yaml.NewEncoder(w) + SetIndent(2) + Encode of that value (what Atmos prints)
//	json        json.MarshalIndent(value, "", "  ") plus "\n"
//	json-error  json.MarshalIndent's error text instead, when it fails
//
// Typed dump: one node per line in pre-order, indented two spaces per depth:
//
//	null | bool true | int -5 | uint 18446744073709551615 | float 1.5e+06 (strconv 'g', -1; +Inf, -Inf, NaN)
//	str "<strconv.Quote>" | timestamp <RFC3339Nano> | list <n> | map <n>, each entry a `key "<quoted>"` line
//	followed by the value one level deeper.
//
// Atmos decodes manifests into map[string]any, so a map whose keys are not all strings (yaml.v3 then builds
// map[any]any) is re-decoded into map[string]any, which keeps each key's source text. Corpus documents put
// such keys only at the top level, where that re-decoding applies.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

func dump(b *strings.Builder, v any, depth int) {
	pad := strings.Repeat("  ", depth)
	switch x := v.(type) {
	case nil:
		fmt.Fprintf(b, "%snull\n", pad)
	case bool:
		fmt.Fprintf(b, "%sbool %t\n", pad, x)
	case int:
		fmt.Fprintf(b, "%sint %d\n", pad, x)
	case int64:
		fmt.Fprintf(b, "%sint %d\n", pad, x)
	case uint64:
		fmt.Fprintf(b, "%suint %d\n", pad, x)
	case float64:
		fmt.Fprintf(b, "%sfloat %s\n", pad, strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		fmt.Fprintf(b, "%sstr %s\n", pad, strconv.Quote(x))
	case time.Time:
		fmt.Fprintf(b, "%stimestamp %s\n", pad, x.Format(time.RFC3339Nano))
	case []any:
		fmt.Fprintf(b, "%slist %d\n", pad, len(x))
		for _, item := range x {
			dump(b, item, depth+1)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(b, "%smap %d\n", pad, len(x))
		for _, k := range keys {
			fmt.Fprintf(b, "%s  key %s\n", pad, strconv.Quote(k))
			dump(b, x[k], depth+1)
		}
	default:
		panic(fmt.Sprintf("unexpected %T in decoded document", v))
	}
}

// hasAnyKeyedMap reports whether v holds a map[any]any anywhere.
func hasAnyKeyedMap(v any) bool {
	switch x := v.(type) {
	case map[any]any:
		return true
	case []any:
		for _, item := range x {
			if hasAnyKeyedMap(item) {
				return true
			}
		}
	case map[string]any:
		for _, item := range x {
			if hasAnyKeyedMap(item) {
				return true
			}
		}
	}
	return false
}

func section(out *bytes.Buffer, kind string, body string) {
	fmt.Fprintf(out, "=== %s %d\n%s\n", kind, len(body), body)
}

func golden(doc []byte) []byte {
	var out bytes.Buffer
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		section(&out, "error", err.Error())
		return out.Bytes()
	}
	if hasAnyKeyedMap(v) {
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			section(&out, "error", err.Error())
			return out.Bytes()
		}
		v = m
		if hasAnyKeyedMap(v) {
			panic("non-string keys below the top level")
		}
	}
	var typed strings.Builder
	dump(&typed, v, 0)
	section(&out, "typed", typed.String())

	var y bytes.Buffer
	enc := yaml.NewEncoder(&y)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	if err := enc.Close(); err != nil {
		panic(err)
	}
	section(&out, "yaml", y.String())

	if j, err := json.MarshalIndent(v, "", "  "); err != nil {
		section(&out, "json-error", err.Error())
	} else {
		section(&out, "json", string(j)+"\n")
	}
	return out.Bytes()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: main <corpus-dir> <golden-dir>")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.yaml"))
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		doc, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".yaml") + ".golden"
		if err := os.WriteFile(filepath.Join(os.Args[2], name), golden(doc), 0o644); err != nil {
			panic(err)
		}
	}
	fmt.Printf("%d documents\n", len(files))
}
