package report

// facsNames are the FACS names of the Action Units OpenFace 2.2 measures.
var facsNames = map[string]string{
	"AU01": "inner brow raiser",
	"AU02": "outer brow raiser",
	"AU04": "brow lowerer",
	"AU05": "upper lid raiser",
	"AU06": "cheek raiser",
	"AU07": "lid tightener",
	"AU09": "nose wrinkler",
	"AU10": "upper lip raiser",
	"AU12": "lip corner puller",
	"AU14": "dimpler",
	"AU15": "lip corner depressor",
	"AU17": "chin raiser",
	"AU20": "lip stretcher",
	"AU23": "lip tightener",
	"AU25": "lips part",
	"AU26": "jaw drop",
	"AU28": "lip suck",
	"AU45": "blink",
}

// auLabel names an AU with its FACS name: "AU12 lip corner puller".
func auLabel(au string) string {
	if name, ok := facsNames[au]; ok {
		return au + " " + name
	}
	return au
}
