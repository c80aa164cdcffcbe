// Command template is the differential oracle for the C++ text/template port: it renders every case of
// a corpus with Go's own text/template and writes the outputs (or error texts) as golden JSON.
//
// The corpus is {"shared_data": ..., "cases": [{name, template, data?, missingkey?, delims?}]}; a case
// without "data" uses shared_data ("data": null is nil data). Data is given as JSON and converted to the Go types yaml.v3 produces when Atmos decodes YAML into
// map[string]any: integers become int (uint64 when they only fit unsigned), other numbers float64, arrays
// []interface{}, objects map[string]interface{}.
//
// Usage: go run . CORPUS.json > GOLDEN.json   (standard library only; see regenerate.sh)
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"
)

type corpus struct {
	SharedData json.RawMessage `json:"shared_data"`
	Cases      []corpusCase    `json:"cases"`
}

type corpusCase struct {
	Name       string          `json:"name"`
	Template   string          `json:"template"`
	Data       json.RawMessage `json:"data"`
	MissingKey string          `json:"missingkey"`
	Delims     []string        `json:"delims"`
}

type golden struct {
	Name      string `json:"name"`
	Output    string `json:"output,omitempty"`
	OutputHex string `json:"output_hex,omitempty"`
	Error     string `json:"error,omitempty"`
}

// convert turns a UseNumber-decoded JSON value into yaml.v3's Go types.
func convert(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return int(i)
		}
		if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return u
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			panic(err)
		}
		return f
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = convert(e)
		}
		return out
	case map[string]interface{}:
		out := make(map[string]interface{}, len(x))
		for k, e := range x {
			out[k] = convert(e)
		}
		return out
	}
	return v
}

func decodeData(raw json.RawMessage) interface{} {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	return convert(v)
}

// stringsNamespace stands in for a Gomplate namespace: `strings.Title` calls a method on the value of
// the function `strings`. The C++ side registers the flattened names "strings.Title" and "strings.Quote".
type stringsNamespace struct{}

func lastString(name string, args []interface{}) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("%s: missing argument", name)
	}
	s, ok := args[len(args)-1].(string)
	if !ok {
		return "", fmt.Errorf("%s: argument is not a string", name)
	}
	return s, nil
}

func (stringsNamespace) Title(args ...interface{}) (interface{}, error) {
	s, err := lastString("Title", args)
	if err != nil {
		return nil, err
	}
	words := strings.Split(s, " ")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " "), nil
}

func (stringsNamespace) Quote(args ...interface{}) (interface{}, error) {
	s, err := lastString("Quote", args)
	if err != nil {
		return nil, err
	}
	return `"` + s + `"`, nil
}

// testFuncs are the test-only functions; tests/unit/template/corpus_test.cpp defines the same ones.
func testFuncs() template.FuncMap {
	return template.FuncMap{
		"upper": func(args ...interface{}) (interface{}, error) {
			s, err := lastString("upper", args)
			if err != nil {
				return nil, err
			}
			return strings.ToUpper(s), nil
		},
		"list": func(args ...interface{}) (interface{}, error) {
			out := make([]interface{}, len(args))
			copy(out, args)
			return out, nil
		},
		"dict": func(args ...interface{}) (interface{}, error) {
			if len(args)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			out := make(map[string]interface{}, len(args)/2)
			for i := 0; i < len(args); i += 2 {
				k, ok := args[i].(string)
				if !ok {
					return nil, errors.New("dict: key is not a string")
				}
				out[k] = args[i+1]
			}
			return out, nil
		},
		"fail": func(args ...interface{}) (interface{}, error) {
			return nil, errors.New(fmt.Sprint(args...))
		},
		"null": func(args ...interface{}) (interface{}, error) {
			return nil, nil
		},
		"strings": func() interface{} { return stringsNamespace{} },
	}
}

func render(c corpusCase, shared json.RawMessage) (out string, err error) {
	t := template.New(c.Name).Funcs(testFuncs())
	if len(c.Delims) == 2 {
		t.Delims(c.Delims[0], c.Delims[1])
	}
	if c.MissingKey != "" {
		t.Option("missingkey=" + c.MissingKey)
	}
	if _, err := t.Parse(c.Template); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	data := c.Data
	if data == nil {
		data = shared
	}
	if err := t.Execute(&buf, decodeData(data)); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: template CORPUS.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var all corpus
	if err := json.Unmarshal(raw, &all); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cases := all.Cases
	seen := map[string]bool{}
	goldens := make([]golden, 0, len(cases))
	for _, c := range cases {
		if seen[c.Name] {
			fmt.Fprintf(os.Stderr, "duplicate case name %q\n", c.Name)
			os.Exit(1)
		}
		seen[c.Name] = true
		g := golden{Name: c.Name}
		out, err := render(c, all.SharedData)
		switch {
		case err != nil:
			g.Error = err.Error()
		case utf8.ValidString(out):
			g.Output = out
		default:
			g.OutputHex = hex.EncodeToString([]byte(out))
		}
		goldens = append(goldens, g)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(goldens); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(buf.Bytes())
}
