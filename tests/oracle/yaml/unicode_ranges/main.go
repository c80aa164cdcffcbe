// Prints the non-Latin-1 rune ranges of Go's unicode.IsLetter and unicode.IsDigit as C++ table rows for
// src/core/yaml_emit.cpp (yaml.v3's key sorter classifies runes with these two functions).
package main

import (
	"fmt"
	"strings"
	"unicode"
)

func ranges(f func(rune) bool) [][2]rune {
	var out [][2]rune
	start := rune(-1)
	for r := rune(0x100); r <= unicode.MaxRune+1; r++ {
		in := r <= unicode.MaxRune && f(r)
		if in && start < 0 {
			start = r
		}
		if !in && start >= 0 {
			out = append(out, [2]rune{start, r - 1})
			start = -1
		}
	}
	return out
}

func print(name string, rs [][2]rune) {
	fmt.Printf("// %d ranges (Unicode %s)\nconstexpr RuneRange %s[] = {\n", len(rs), unicode.Version, name)
	var line []string
	for i, r := range rs {
		line = append(line, fmt.Sprintf("{0x%X, 0x%X}", r[0], r[1]))
		if len(line) == 5 || i == len(rs)-1 {
			fmt.Printf("    %s,\n", strings.Join(line, ", "))
			line = nil
		}
	}
	fmt.Printf("};\n")
}

func main() {
	print("kLetterRanges", ranges(unicode.IsLetter))
	print("kDigitRanges", ranges(unicode.IsDigit))
}
