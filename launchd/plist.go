package launchd

import (
	"bytes"
	"encoding/xml"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// launchd restarts a crashed daemon no sooner than this many seconds after
// its last start, so a video that kills the process cannot spin the CPU.
const throttleSeconds = 10

// openFiles is the descriptor limit the daemon starts with: fsnotify's kqueue
// backend holds one descriptor per watched folder and per entry in it.
const openFiles = 4096

// plistHeader opens every property list, as Apple's tools write it.
const plistHeader = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Starts auwatchd at login. Written by "auwatchd install"; remove it with "auwatchd uninstall". -->
<plist version="1.0">
`

// plistValue is one typed value of a property list.
type plistValue interface {
	write(b *bytes.Buffer, depth int)
}

type (
	plistString  string
	plistInteger int
	plistBool    bool
	plistArray   []plistValue
	plistDict    map[string]plistValue
)

// RenderPlist returns the LaunchAgent property list that starts the agent
// at login and restarts it when it fails. Keys are written in sorted order,
// as plutil does, so the file is the same byte for byte for the same agent.
func RenderPlist(a Agent) ([]byte, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	program := plistArray{plistString(a.Executable)}
	for _, arg := range a.Args {
		program = append(program, plistString(arg))
	}
	root := plistDict{
		"Label":            plistString(Label),
		"ProgramArguments": program,
		"RunAtLoad":        plistBool(true),
		// Restart after a crash only: an error exit says what is wrong with
		// the set-up, which restarting every ten seconds would not mend.
		"KeepAlive": plistDict{"Crashed": plistBool(true)},
		// Without it the job is a Standard one, whose CPU and I/O launchd
		// throttles; measuring a video the user asked for must run at full
		// speed, like an app.
		"ProcessType": plistString("Interactive"),
		// Only in the user's graphical session, where the menu-bar icon lives.
		"LimitLoadToSessionType": plistString("Aqua"),
		"ThrottleInterval":       plistInteger(throttleSeconds),
		// The soft limit only: launchd leaves the hard limit unlimited, and
		// the Go runtime raises its soft limit to the hard one at start
		// (within kern.maxfilesperproc), so a hard limit here would cap the
		// descriptors a folder of many thousand files needs.
		"SoftResourceLimits": plistDict{"NumberOfFiles": plistInteger(openFiles)},
	}
	// System Settings lists the agent under the app's name and icon in
	// Login Items, instead of as an unidentified item.
	if a.App != "" {
		root["AssociatedBundleIdentifiers"] = plistArray{plistString(Label)}
	}
	if a.LogDir != "" {
		root["StandardOutPath"] = plistString(filepath.Join(a.LogDir, "auwatchd.out.log"))
		root["StandardErrorPath"] = plistString(filepath.Join(a.LogDir, "auwatchd.err.log"))
	}
	env := plistDict{}
	for name, value := range a.environment() {
		env[name] = plistString(value)
	}
	root["EnvironmentVariables"] = env
	var b bytes.Buffer
	b.WriteString(plistHeader)
	root.write(&b, 0)
	b.WriteString("</plist>\n")
	return b.Bytes(), nil
}

func writeIndent(b *bytes.Buffer, depth int) {
	b.WriteString(strings.Repeat("\t", depth))
}

func (s plistString) write(b *bytes.Buffer, depth int) {
	writeIndent(b, depth)
	b.WriteString("<string>")
	xml.EscapeText(b, []byte(s))
	b.WriteString("</string>\n")
}

func (n plistInteger) write(b *bytes.Buffer, depth int) {
	writeIndent(b, depth)
	b.WriteString("<integer>" + strconv.Itoa(int(n)) + "</integer>\n")
}

func (v plistBool) write(b *bytes.Buffer, depth int) {
	writeIndent(b, depth)
	b.WriteString("<" + strconv.FormatBool(bool(v)) + "/>\n")
}

func (arr plistArray) write(b *bytes.Buffer, depth int) {
	writeIndent(b, depth)
	b.WriteString("<array>\n")
	for _, v := range arr {
		v.write(b, depth+1)
	}
	writeIndent(b, depth)
	b.WriteString("</array>\n")
}

func (d plistDict) write(b *bytes.Buffer, depth int) {
	writeIndent(b, depth)
	b.WriteString("<dict>\n")
	for _, k := range slices.Sorted(maps.Keys(d)) {
		writeIndent(b, depth+1)
		b.WriteString("<key>")
		xml.EscapeText(b, []byte(k))
		b.WriteString("</key>\n")
		d[k].write(b, depth+1)
	}
	writeIndent(b, depth)
	b.WriteString("</dict>\n")
}
