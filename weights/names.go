package weights

// The model files the engine and doctor load, relative to the models folder;
// every one is listed in the manifest.
const (
	DetectorFile      = "retinaface_mnet025.onnx"
	LocatorFile       = "pfld_68.onnx"
	CLNFFile          = "openface/LandmarkDetector_model/main_clnf_general.txt"
	PDMFile           = "openface/AU_predictors/In-the-wild_aligned_PDM_68.txt"
	TriangulationFile = "openface/AU_predictors/tris_68_full.txt"
	AUListFile        = "openface/AU_predictors/AU_all_best.txt"
)
