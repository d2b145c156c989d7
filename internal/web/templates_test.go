package web

import (
	"testing"
	tparse "text/template/parse"
)

// Each page is parsed with only the partials it reaches (partialSet): every
// template a page's trees call is defined in its set, so no page fails at
// run time with "no such template". And the sets are smaller than every
// partial with every page, which is the point.
func TestPagesHoldTheTemplatesTheyCall(t *testing.T) {
	v, err := parsed()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.pages) < 50 {
		t.Fatalf("%d pages parsed", len(v.pages))
	}
	without := 0
	for name, page := range v.pages {
		if page.Lookup("layout") == nil {
			t.Errorf("%s: no layout", name)
		}
		if page.Lookup("pager") == nil {
			without++
		}
		for _, tt := range page.Templates() {
			if tt.Tree == nil {
				continue
			}
			var walk func(tparse.Node)
			walk = func(n tparse.Node) {
				switch n := n.(type) {
				case *tparse.ListNode:
					if n == nil {
						return
					}
					for _, c := range n.Nodes {
						walk(c)
					}
				case *tparse.IfNode:
					walk(n.List)
					walk(n.ElseList)
				case *tparse.RangeNode:
					walk(n.List)
					walk(n.ElseList)
				case *tparse.WithNode:
					walk(n.List)
					walk(n.ElseList)
				case *tparse.TemplateNode:
					if page.Lookup(n.Name) == nil {
						t.Errorf("page %s: template %s calls %q, which its set does not define", name, tt.Name(), n.Name)
					}
				}
			}
			walk(tt.Tree.Root)
		}
	}
	if without == 0 {
		t.Error("every page holds the pager: the partials are still parsed with every page")
	}
}
