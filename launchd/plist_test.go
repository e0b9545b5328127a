package launchd

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// xmlNode is any XML element with its text and children, in order.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

// parsePlist reads an XML property list whose root is a dict into Go values:
// string, int64, bool, []any and map[string]any.
func parsePlist(data []byte) (map[string]any, error) {
	if !bytes.Contains(data, []byte(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"`)) {
		return nil, fmt.Errorf("no plist DOCTYPE")
	}
	var root xmlNode
	if err := xml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "plist" || len(root.Attrs) != 1 || root.Attrs[0].Value != "1.0" {
		return nil, fmt.Errorf("root is <%s %v>, want <plist version=\"1.0\">", root.XMLName.Local, root.Attrs)
	}
	if len(root.Children) != 1 || root.Children[0].XMLName.Local != "dict" {
		return nil, fmt.Errorf("<plist> must hold exactly one <dict>")
	}
	v, err := plistNodeValue(root.Children[0])
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

func plistNodeValue(n xmlNode) (any, error) {
	name := n.XMLName.Local
	if len(n.Attrs) > 0 {
		return nil, fmt.Errorf("<%s> has attributes", name)
	}
	if name != "array" && name != "dict" && len(n.Children) > 0 {
		return nil, fmt.Errorf("<%s> holds elements", name)
	}
	switch name {
	case "string":
		return n.Text, nil
	case "integer":
		return strconv.ParseInt(strings.TrimSpace(n.Text), 10, 64)
	case "true", "false":
		if strings.TrimSpace(n.Text) != "" {
			return nil, fmt.Errorf("<%s/> holds text", name)
		}
		return name == "true", nil
	case "array":
		values := []any{}
		for _, c := range n.Children {
			v, err := plistNodeValue(c)
			if err != nil {
				return nil, err
			}
			values = append(values, v)
		}
		return values, nil
	case "dict":
		return plistDictValue(n.Children)
	}
	return nil, fmt.Errorf("unknown plist element <%s>", name)
}

func plistDictValue(children []xmlNode) (map[string]any, error) {
	if len(children)%2 != 0 {
		return nil, fmt.Errorf("<dict> has a key without a value")
	}
	d := map[string]any{}
	for i := 0; i < len(children); i += 2 {
		key, value := children[i], children[i+1]
		if key.XMLName.Local != "key" || len(key.Children) > 0 {
			return nil, fmt.Errorf("<dict> holds <%s> where a <key> belongs", key.XMLName.Local)
		}
		if value.XMLName.Local == "key" {
			return nil, fmt.Errorf("key %q has no value", key.Text)
		}
		if _, dup := d[key.Text]; dup {
			return nil, fmt.Errorf("key %q appears twice", key.Text)
		}
		v, err := plistNodeValue(value)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key.Text, err)
		}
		d[key.Text] = v
	}
	return d, nil
}

const testDoctype = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
`

func TestParsePlistRejectsMalformedLists(t *testing.T) {
	for name, body := range map[string]string{
		"no doctype":        `<plist version="1.0"><dict/></plist>`,
		"unclosed":          testDoctype + `<plist version="1.0"><dict><key>A</key><string>x</string></plist>`,
		"root not plist":    testDoctype + `<dict></dict>`,
		"root not dict":     testDoctype + `<plist version="1.0"><array/></plist>`,
		"key without value": testDoctype + `<plist version="1.0"><dict><key>A</key></dict></plist>`,
		"two keys":          testDoctype + `<plist version="1.0"><dict><key>A</key><key>B</key></dict></plist>`,
		"duplicate key":     testDoctype + `<plist version="1.0"><dict><key>A</key><true/><key>A</key><false/></dict></plist>`,
		"bad integer":       testDoctype + `<plist version="1.0"><dict><key>A</key><integer>ten</integer></dict></plist>`,
		"unknown element":   testDoctype + `<plist version="1.0"><dict><key>A</key><number>1</number></dict></plist>`,
		"element in string": testDoctype + `<plist version="1.0"><dict><key>A</key><string><b/></string></dict></plist>`,
		"raw ampersand":     testDoctype + `<plist version="1.0"><dict><key>A</key><string>R&D</string></dict></plist>`,
	} {
		if _, err := parsePlist([]byte(body)); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestRenderPlistMatchesGolden(t *testing.T) {
	got, err := RenderPlist(goldenAgent())
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "agent.plist.golden", got)
}

func TestRenderPlistHasEveryKey(t *testing.T) {
	a := goldenAgent()
	data, err := RenderPlist(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parsePlist(data)
	if err != nil {
		t.Fatalf("rendered plist does not parse: %v\n%s", err, data)
	}
	want := map[string]any{
		"Label":                  "io.github.auwatchd",
		"ProgramArguments":       []any{"/Users/ada/Face Lab/R&D tools/auwatchd", "run"},
		"RunAtLoad":              true,
		"KeepAlive":              map[string]any{"Crashed": true},
		"ProcessType":            "Interactive",
		"LimitLoadToSessionType": "Aqua",
		"ThrottleInterval":       int64(10),
		"SoftResourceLimits":     map[string]any{"NumberOfFiles": int64(4096)},
		"StandardOutPath":        "/Users/ada/Library/Logs/auwatchd/auwatchd.out.log",
		"StandardErrorPath":      "/Users/ada/Library/Logs/auwatchd/auwatchd.err.log",
		"EnvironmentVariables": map[string]any{
			"AUWATCHD_MODELS": "/Users/ada/Face Lab/R&D tools/models",
			"AUWATCHD_HOME":   "/Users/ada/Face Lab/data",
			"GOTRACEBACK":     "crash",
		},
	}
	for key, w := range want {
		if !reflect.DeepEqual(got[key], w) {
			t.Errorf("%s = %#v, want %#v", key, got[key], w)
		}
	}
	for key := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected key %s", key)
		}
	}
}

// The agent of an app names the app, which System Settings shows in Login Items.
func TestRenderPlistNamesTheApp(t *testing.T) {
	a := New("/Applications/auwatchd.app/Contents/MacOS/auwatchd", "/Users/ada", 501)
	a.App = "/Applications/auwatchd.app"
	data, err := RenderPlist(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parsePlist(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{"io.github.auwatchd"}; !reflect.DeepEqual(got["AssociatedBundleIdentifiers"], want) {
		t.Errorf("AssociatedBundleIdentifiers = %#v, want %#v", got["AssociatedBundleIdentifiers"], want)
	}
}

func TestRenderPlistRoundTripsAwkwardStrings(t *testing.T) {
	for _, s := range []string{
		`/Users/ada/R&D <"tools">/auwatchd`,
		`/Users/o'brien/]]>/auwatchd`,
		"/Users/zoë/視頻/auwatchd",
		"/tmp/&amp;/auwatchd",
	} {
		a := New(s, "/Users/ada", 501)
		a.Args = []string{"run", s}
		a.Env = map[string]string{"AUWATCHD_HOME": s}
		data, err := RenderPlist(a)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		got, err := parsePlist(data)
		if err != nil {
			t.Fatalf("%q: rendered plist does not parse: %v\n%s", s, err, data)
		}
		if args := got["ProgramArguments"]; !reflect.DeepEqual(args, []any{s, "run", s}) {
			t.Errorf("ProgramArguments = %q, want [%q run %q]", args, s, s)
		}
		if env := got["EnvironmentVariables"].(map[string]any); env["AUWATCHD_HOME"] != s {
			t.Errorf("AUWATCHD_HOME = %q, want %q", env["AUWATCHD_HOME"], s)
		}
	}
}

func TestRenderPlistLeavesOutUnsetKeys(t *testing.T) {
	a := New("/Applications/auwatchd", "/Users/ada", 501)
	a.LogDir = ""
	data, err := RenderPlist(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parsePlist(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"StandardOutPath", "StandardErrorPath"} {
		if _, ok := got[key]; ok {
			t.Errorf("%s is set for an agent without it", key)
		}
	}
	// Every agent makes a panic a crash, the only exit that is restarted.
	if env := got["EnvironmentVariables"]; !reflect.DeepEqual(env, map[string]any{"GOTRACEBACK": "crash"}) {
		t.Errorf("EnvironmentVariables %#v, want GOTRACEBACK=crash alone", env)
	}
}

func TestRenderRefusesWhatAFileCannotCarry(t *testing.T) {
	for name, change := range map[string]func(*Agent){
		"relative executable":   func(a *Agent) { a.Executable = "bin/auwatchd" },
		"relative log folder":   func(a *Agent) { a.LogDir = "Logs" },
		"newline in argument":   func(a *Agent) { a.Args = []string{"run\nExecStartPre=/bin/rm"} },
		"NUL in executable":     func(a *Agent) { a.Executable = "/opt/auwatchd\x00" },
		"invalid UTF-8":         func(a *Agent) { a.Env = map[string]string{"AUWATCHD_HOME": "/data/\xff"} },
		"variable name symbols": func(a *Agent) { a.Env = map[string]string{"AUWATCHD HOME": "/data"} },
		"variable name digit":   func(a *Agent) { a.Env = map[string]string{"1HOME": "/data"} },
		"empty variable name":   func(a *Agent) { a.Env = map[string]string{"": "/data"} },
	} {
		a := goldenAgent()
		change(&a)
		if _, err := RenderPlist(a); err == nil {
			t.Errorf("RenderPlist accepted an agent with a %s", name)
		}
		if _, err := RenderUnit(a); err == nil {
			t.Errorf("RenderUnit accepted an agent with a %s", name)
		}
	}
}
