// The .dockerignore oracle of the differential test (test/e2e/dockerignore.e2e.test.ts):
// Docker's own parser and matcher (moby/patternmatcher and its ignorefile package, the
// code `docker build` runs) answer, for each case read from standard input as JSON, which
// paths the ignore file excludes from the build context, or the error Docker reports.
package main

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

type testCase struct {
	Ignore string   `json:"ignore"`
	Paths  []string `json:"paths"`
}

type answer struct {
	Patterns []string `json:"patterns"`
	Excluded []bool   `json:"excluded"`
	Error    string   `json:"error,omitempty"`
}

// excluded walks from the top of the context down to path, as the context walker does:
// each directory's per-pattern results feed its children's.
func excluded(pm *patternmatcher.PatternMatcher, path string) (bool, error) {
	var info patternmatcher.MatchInfo
	parts := strings.Split(path, "/")
	matched := false
	for i := range parts {
		var err error
		matched, info, err = pm.MatchesUsingParentResults(strings.Join(parts[:i+1], "/"), info)
		if err != nil {
			return false, err
		}
	}
	return matched, nil
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	answers := make([]answer, 0, len(cases))
	for _, c := range cases {
		a := answer{Patterns: []string{}, Excluded: []bool{}}
		patterns, err := ignorefile.ReadAll(strings.NewReader(c.Ignore))
		if err == nil {
			a.Patterns = append(a.Patterns, patterns...)
			var pm *patternmatcher.PatternMatcher
			pm, err = patternmatcher.New(patterns)
			for _, path := range c.Paths {
				if err != nil {
					break
				}
				var m bool
				m, err = excluded(pm, path)
				a.Excluded = append(a.Excluded, m)
			}
		}
		if err != nil {
			a.Error = err.Error()
			a.Excluded = []bool{}
		}
		answers = append(answers, a)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
