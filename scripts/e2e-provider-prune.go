// e2e-provider-prune.go — trims a copy of the hashicorp/aws provider source to a set of
// service packages, so `go build` compiles only those (and what they import).
//
// Run by scripts/e2e-toolchain.sh with `go run` (standard library only):
//
//	go run scripts/e2e-provider-prune.go types <provider-src>
//	    prints "<type name>\t<resource|data|ephemeral|list|action>\t<service package>" for
//	    every type any service package of the provider registers (read from the generated
//	    internal/service/<pkg>/service_package_gen.go files).
//	go run scripts/e2e-provider-prune.go prune <provider-src> <services.txt>
//	    rewrites, in place, the two generated files that name every service package:
//	      internal/provider/sdkv2/service_packages_gen.go  (the registered service packages)
//	      internal/conns/awsclient_gen.go                  (one AWS SDK client per service)
//	    keeping the listed packages plus everything they need to compile and run: service
//	    packages they import, and the service packages whose API clients the compiled code
//	    asks for (a client is created by its service package at run time). Prints the
//	    resulting set, one package a line.
//
// Nothing here knows a service by name: every mapping is read from the provider source.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const modulePath = "github.com/hashicorp/terraform-provider-aws"
const servicePrefix = modulePath + "/internal/service/"

const (
	servicePackagesFile = "internal/provider/sdkv2/service_packages_gen.go"
	clientsFile         = "internal/conns/awsclient_gen.go"
	namesConstsFile     = "names/consts_gen.go"
)

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "e2e-provider-prune: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 {
		die("usage: types <provider-src> | prune <provider-src> <services.txt>")
	}
	switch os.Args[1] {
	case "types":
		printTypes(os.Args[2])
	case "prune":
		if len(os.Args) != 4 {
			die("usage: prune <provider-src> <services.txt>")
		}
		prune(os.Args[2], os.Args[3])
	default:
		die("unknown command %q (use types or prune)", os.Args[1])
	}
}

// --- types -------------------------------------------------------------------------

var typeNameRE = regexp.MustCompile(`TypeName:\s*"([a-z0-9_]+)"`)
var kindRE = regexp.MustCompile(`^func \(p \*servicePackage\) (\w+)\(`)

// kindOf names what a service_package_gen.go method registers.
func kindOf(method string) string {
	switch {
	case strings.HasSuffix(method, "EphemeralResources"):
		return "ephemeral"
	case strings.HasSuffix(method, "ListResources"):
		return "list"
	case strings.HasSuffix(method, "Actions"):
		return "action"
	case strings.HasSuffix(method, "DataSources"):
		return "data"
	case strings.HasSuffix(method, "Resources"):
		return "resource"
	}
	return ""
}

func printTypes(src string) {
	files, err := filepath.Glob(filepath.Join(src, "internal/service/*/service_package_gen.go"))
	if err != nil || len(files) == 0 {
		die("no internal/service/*/service_package_gen.go under %s", src)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	seen := map[string]string{}
	for _, file := range files {
		pkg := filepath.Base(filepath.Dir(file))
		f, err := os.Open(file)
		if err != nil {
			die("%v", err)
		}
		kind := ""
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := kindRE.FindStringSubmatch(line); m != nil {
				kind = kindOf(m[1])
				continue
			}
			if m := typeNameRE.FindStringSubmatch(line); m != nil && kind != "" {
				key := kind + " " + m[1]
				if other, ok := seen[key]; ok && other != pkg {
					die("%s %s is registered by both %s and %s", kind, m[1], other, pkg)
				}
				if _, ok := seen[key]; !ok {
					seen[key] = pkg
					fmt.Fprintf(w, "%s\t%s\t%s\n", m[1], kind, pkg)
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			die("%s: %v", file, err)
		}
	}
}

// --- prune -------------------------------------------------------------------------

func readServices(file string) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		die("%v", err)
	}
	var out []string
	for i, line := range strings.Split(string(data), "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !regexp.MustCompile(`^[a-z0-9]+$`).MatchString(line) {
			die("%s:%d: %q is not a service package name (one lowercase name a line, # comments)", file, i+1, line)
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		die("%s lists no service package", file)
	}
	return out
}

// clientMethods maps each AWSClient method of awsclient_gen.go (e.g. EC2Client) to the
// service package that creates its client (the value of the names.X constant it passes).
func clientMethods(src string) map[string]string {
	consts := map[string]string{}
	fset := token.NewFileSet()
	nf, err := parser.ParseFile(fset, filepath.Join(src, namesConstsFile), nil, 0)
	if err != nil {
		die("%v", err)
	}
	for _, decl := range nf.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						consts[name.Name] = v
					}
				}
			}
		}
	}
	cf, err := parser.ParseFile(fset, filepath.Join(src, clientsFile), nil, 0)
	if err != nil {
		die("%v", err)
	}
	methods := map[string]string{}
	for _, decl := range cf.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Recv == nil {
			continue
		}
		service := ""
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "names" && service == "" {
					service = consts[sel.Sel.Name]
				}
			}
			return true
		})
		if service == "" {
			die("%s: cannot tell which service package method %s belongs to", clientsFile, fd.Name.Name)
		}
		if _, err := os.Stat(filepath.Join(src, "internal/service", service)); err != nil {
			die("%s: method %s names service %q, which has no internal/service/%s", clientsFile, fd.Name.Name, service, service)
		}
		methods[fd.Name.Name] = service
	}
	if len(methods) == 0 {
		die("%s defines no client method", clientsFile)
	}
	return methods
}

var callRE = regexp.MustCompile(`\.([A-Za-z0-9_]+)`)

// walk visits the module's own packages that a build of the root package compiles
// (imports followed from main.go, test files and files excluded by build tags ignored)
// and returns their directories and the client methods their code calls. The
// generated client file itself is skipped: it defines every method.
func walk(src string, methods map[string]string) (dirs map[string]bool, called map[string]string) {
	dirs = map[string]bool{}
	called = map[string]string{} // method -> first file calling it
	queue := []string{"."}
	dirs["."] = true
	fset := token.NewFileSet()
	for len(queue) > 0 {
		rel := queue[0]
		queue = queue[1:]
		dir := filepath.Join(src, rel)
		entries, err := os.ReadDir(dir)
		if err != nil {
			die("%v", err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
				continue
			}
			relFile := filepath.ToSlash(filepath.Join(rel, name))
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				die("%v", err)
			}
			f, err := parser.ParseFile(fset, relFile, data, parser.ImportsOnly)
			if err != nil {
				die("%v", err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path != modulePath && !strings.HasPrefix(path, modulePath+"/") {
					continue
				}
				next := strings.TrimPrefix(strings.TrimPrefix(path, modulePath), "/")
				if next == "" {
					next = "."
				}
				if !dirs[next] {
					dirs[next] = true
					queue = append(queue, next)
				}
			}
			if relFile == clientsFile {
				continue
			}
			for _, m := range callRE.FindAllSubmatch(data, -1) {
				if _, ok := methods[string(m[1])]; ok && called[string(m[1])] == "" {
					called[string(m[1])] = relFile
				}
			}
		}
	}
	return dirs, called
}

// servicesOf lists the service packages among the compiled directories and those whose
// clients the compiled code calls, each with the reason it is needed.
func servicesOf(dirs map[string]bool, called map[string]string, methods map[string]string) map[string]string {
	out := map[string]string{}
	for dir := range dirs {
		if rest, ok := strings.CutPrefix(dir, "internal/service/"); ok {
			out[strings.SplitN(rest, "/", 2)[0]] = "compiled: " + dir
		}
	}
	for m, file := range called {
		if _, ok := out[methods[m]]; !ok {
			out[methods[m]] = file + " calls " + m
		}
	}
	return out
}

func sortedKeys[V any](set map[string]V) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// rewrite parses a generated file, lets edit drop declarations or expressions, removes
// the imports nothing uses any more and writes the file back, gofmt'ed.
func rewrite(path string, edit func(f *ast.File)) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		die("%v", err)
	}
	edit(f)
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		kept := gd.Specs[:0]
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			if is.Name != nil && is.Name.Name == "_" {
				kept = append(kept, spec)
				continue
			}
			if used[importName(is)] {
				kept = append(kept, spec)
			}
		}
		gd.Specs = kept
	}
	// Imports were dropped from the AST only; drop their comments' anchors too by
	// keeping just the file's leading comments (the generated files have no others).
	var lead []*ast.CommentGroup
	for _, cg := range f.Comments {
		if cg.End() < f.Package {
			lead = append(lead, cg)
		}
	}
	f.Comments = lead
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		die("%s: %v", path, err)
	}
	// Re-parse to make sure the result is well-formed Go before writing it.
	if _, err := parser.ParseFile(token.NewFileSet(), path, buf.Bytes(), 0); err != nil {
		die("%s: rewritten file does not parse: %v", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		die("%v", err)
	}
}

func importName(is *ast.ImportSpec) string {
	if is.Name != nil {
		return is.Name.Name
	}
	path, _ := strconv.Unquote(is.Path.Value)
	return path[strings.LastIndex(path, "/")+1:]
}

// keepServicePackages keeps, in service_packages_gen.go, the imports of the listed
// service packages and the `pkg.ServicePackage(ctx)` entries that use them.
func keepServicePackages(src string, keep map[string]bool) {
	path := filepath.Join(src, servicePackagesFile)
	rewrite(path, func(f *ast.File) {
		drop := map[string]bool{} // import names of dropped service packages
		for _, is := range f.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			if rest, ok := strings.CutPrefix(p, servicePrefix); ok && !keep[rest] {
				drop[importName(is)] = true
			}
		}
		entries := 0
		ast.Inspect(f, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			elts := cl.Elts[:0]
			for _, e := range cl.Elts {
				if call, ok := e.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ServicePackage" {
						if id, ok := sel.X.(*ast.Ident); ok {
							entries++
							if drop[id.Name] {
								continue
							}
						}
					}
				}
				elts = append(elts, e)
			}
			cl.Elts = elts
			return true
		})
		if entries == 0 {
			die("%s: found no pkg.ServicePackage(ctx) entries; the generated file's layout changed", servicePackagesFile)
		}
	})
}

// keepClients keeps, in awsclient_gen.go, the client methods the compiled code calls.
func keepClients(src string, called map[string]string) {
	rewrite(filepath.Join(src, clientsFile), func(f *ast.File) {
		decls := f.Decls[:0]
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv != nil && called[fd.Name.Name] == "" {
				continue
			}
			decls = append(decls, decl)
		}
		f.Decls = decls
	})
}

func prune(src, listFile string) {
	requested := readServices(listFile)
	var missing []string
	keep := map[string]bool{}
	for _, s := range requested {
		if _, err := os.Stat(filepath.Join(src, "internal/service", s, "service_package_gen.go")); err != nil {
			missing = append(missing, s)
		}
		keep[s] = true
	}
	if len(missing) > 0 {
		die("%s lists %s, which the provider source has no service package for (see %s/internal/service/)",
			listFile, strings.Join(missing, ", "), src)
	}
	methods := clientMethods(src)
	original, err := os.ReadFile(filepath.Join(src, servicePackagesFile))
	if err != nil {
		die("%v", err)
	}
	// Fixpoint: register the kept set, see what the build then compiles and which
	// clients it calls, and widen the set until nothing new appears.
	var called map[string]string
	for round := 1; ; round++ {
		if err := os.WriteFile(filepath.Join(src, servicePackagesFile), original, 0o644); err != nil {
			die("%v", err)
		}
		keepServicePackages(src, keep)
		var dirs map[string]bool
		dirs, called = walk(src, methods)
		needed := servicesOf(dirs, called, methods)
		grown := false
		for _, s := range sortedKeys(needed) {
			if !keep[s] {
				keep[s] = true
				grown = true
				fmt.Fprintf(os.Stderr, "e2e-provider-prune: adding %s (%s)\n", s, needed[s])
			}
		}
		if !grown {
			break
		}
		if round > 50 {
			die("the service set did not settle after 50 rounds")
		}
	}
	keepClients(src, called)
	for _, s := range sortedKeys(keep) {
		fmt.Println(s)
	}
}
