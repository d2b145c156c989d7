// Command funclen prints the functions longer than -n lines (default 80),
// longest first, as "file:line: name lines". It reads the Go files below
// the directories given (default "."), skipping vendor, testdata and, unless
// -tests is set, _test.go files. Run it from the module root:
//
//	go run ./scripts/funclen -n 80 ./cmd ./internal
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type fn struct {
	pos   token.Position
	name  string
	lines int
}

func main() {
	n := flag.Int("n", 80, "print functions with more than this many lines")
	tests := flag.Bool("tests", false, "include _test.go files")
	flag.Parse()
	roots := flag.Args()
	if len(roots) == 0 {
		roots = []string{"."}
	}
	fset := token.NewFileSet()
	var long []fn
	for _, root := range roots {
		err := filepath.WalkDir(strings.TrimSuffix(root, "/..."), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "vendor" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || (!*tests && strings.HasSuffix(path, "_test.go")) {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			long = append(long, longFuncs(fset, f, *n)...)
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "funclen:", err)
			os.Exit(1)
		}
	}
	sort.SliceStable(long, func(i, j int) bool { return long[i].lines > long[j].lines })
	for _, f := range long {
		fmt.Printf("%s:%d: %s %d lines\n", f.pos.Filename, f.pos.Line, f.name, f.lines)
	}
}

// longFuncs lists the declared functions and methods of f (function
// literals count toward the function they are written in) over n lines.
func longFuncs(fset *token.FileSet, f *ast.File, n int) []fn {
	var out []fn
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		start, end := fset.Position(fd.Pos()), fset.Position(fd.End())
		if lines := end.Line - start.Line + 1; lines > n {
			name := fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) > 0 {
				name = "(" + recvType(fd.Recv.List[0].Type) + ")." + name
			}
			out = append(out, fn{start, name, lines})
		}
	}
	return out
}

// recvType names a receiver type: T, *T, T[K] or *T[K].
func recvType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return "*" + recvType(t.X)
	case *ast.IndexExpr:
		return recvType(t.X)
	case *ast.IndexListExpr:
		return recvType(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}
