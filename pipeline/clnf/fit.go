package clnf

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/auwatchd/auwatchd/internal/linalg"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

const (
	minScale   = 0.25 // OpenFace gives up on faces under ~30 px across
	stopMotion = 0.01 // L2 norm of the shape change that ends an NU-RLMS stage
	kdeStep    = 0.1  // resolution of the precomputed mean-shift kernels, px
	// partMinScale: a part model runs only when the face's scale exceeds
	// this fraction of the part's patch scaling (no upsampling).
	partMinScale = 0.9
)

// Settings are the fitting parameters of OpenFace's FaceModelParameters for
// the 68-point model.
type Settings struct {
	// Windows is the response window size at each patch scale (0.25, 0.35,
	// 0.5); 0 skips the scale.
	Windows [numScales]int
	// Iterations is the NU-RLMS iteration budget per stage.
	Iterations int
	// RegFactor, Sigma and WeightFactor are the base regularisation, the
	// mean-shift kernel width and the patch-confidence weight; they are
	// adapted per scale as OpenFace does (refine_parameters).
	RegFactor, Sigma, WeightFactor float64
	// Hierarchical runs the model's part models (inner face, eyes) after the
	// main fit, as OpenFace's refine_hierarchical does.
	Hierarchical bool
	// Workers is how many goroutines compute patch responses (the caller
	// and Workers−1 helpers); 0 means runtime.GOMAXPROCS(0). The results
	// do not depend on it.
	Workers int
}

// TrackingSettings are OpenFace 2.2's defaults when a face is tracked from
// the previous frame (window_sizes_small; CLNF model, video).
func TrackingSettings() Settings {
	return Settings{Windows: [numScales]int{0, 9, 7}, Iterations: 5, RegFactor: 25, Sigma: 1.5, Hierarchical: true}
}

// InitSettings are OpenFace 2.2's defaults for a fresh detection
// (window_sizes_init), suited to a starting point a few pixels off.
func InitSettings() Settings {
	s := TrackingSettings()
	s.Windows = [numScales]int{11, 9, 7}
	return s
}

// partSettingsByName are the fixed parameters OpenFace gives each part
// model it knows (CLNF::Read); window lists longer than a part's scales are cut.
var partSettingsByName = map[string]partSettings{
	"inner":        {windows: []int{9}, iterations: 5, reg: 2.5, sigma: 1.75, weight: 2.5},
	"left_eye_28":  {windows: []int{3, 5, 9}, iterations: 5, reg: 0.5, sigma: 1},
	"right_eye_28": {windows: []int{3, 5, 9}, iterations: 5, reg: 0.5, sigma: 1},
}

// partSettings are the parameters of one part's fit.
type partSettings struct {
	windows            []int
	iterations         int
	reg, sigma, weight float64
	adaptToScale       bool // OpenFace's refine_parameters
}

// Fitter refines landmarks with a Model. It owns every buffer it needs, so
// after the first frames (which fill the lazily built kernel tables) Refine
// does not allocate; one Fitter must not be used by two goroutines at once.
// It spreads the main fit's patch responses, then the part models' fits,
// over helper goroutines that Close stops.
type Fitter struct {
	model *Model
	calc  *pdm.Fitter
	gray  grayFrame
	pool  *workPool
	main  *partFitter
	parts []*partFitter // empty unless hierarchical refinement runs
	// partOrder lists the parts costliest first, the order in which the
	// pool hands them out, so that the longest fit starts first; active
	// is the frame's share of it and fitPart the pool's task over it.
	partOrder, active []int
	fitPart           func(k int, s *patchScratch)
	start             []float64 // the landmarks the parts start from
	out               [pdm.LandmarksLen]float64
	// eyes are the eye parts, in gaze order, when the model has them and
	// the fit is hierarchical; eyesPlaced says they hold this frame's fit.
	eyes       []*partFitter
	eyesPlaced bool
}

// NewFitter returns a Fitter for m with the given settings.
func NewFitter(m *Model, s Settings) (*Fitter, error) {
	if s.Iterations < 1 || s.Sigma <= 0 {
		return nil, errors.New("settings need at least one iteration and a positive sigma")
	}
	if s.Workers < 0 {
		return nil, errors.New("settings need a non-negative worker count")
	}
	f := &Fitter{model: m, calc: pdm.NewFitter(m.PDM)}
	mainSettings := partSettings{windows: s.Windows[:], iterations: s.Iterations, reg: s.RegFactor, sigma: s.Sigma, weight: s.WeightFactor, adaptToScale: true}
	var err error
	if f.main, err = newPartFitter(m.main, mainSettings, true); err != nil {
		return nil, err
	}
	if s.Hierarchical {
		for _, p := range m.parts {
			pf, err := newPartFitter(p.model, p.settings, false)
			if err != nil {
				return nil, fmt.Errorf("part %s: %w", p.name, err)
			}
			pf.part = p
			f.parts = append(f.parts, pf)
		}
	}
	workers := s.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	f.main.model.prepareSigmas(f.main.settings.windows, workers)
	for _, pf := range f.parts {
		pf.model.prepareSigmas(pf.settings.windows, workers)
	}
	f.pool = newWorkPool(workers)
	for _, pf := range append([]*partFitter{f.main}, f.parts...) {
		pf.pool, pf.gray = f.pool, &f.gray
		pf.respond = pf.landmarkResponse
	}
	f.partOrder = costliestFirst(f.parts)
	f.eyes = eyeFitters(f.parts)
	f.fitPart = f.fitActivePart
	runtime.AddCleanup(f, (*workPool).close, f.pool)
	return f, nil
}

// costliestFirst orders parts by the response positions a fit computes
// per iteration budget, most first.
func costliestFirst(parts []*partFitter) []int {
	cost := func(pf *partFitter) int {
		positions := 0
		for _, w := range pf.settings.windows {
			positions += w * w
		}
		return positions * pf.model.shape.n
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cost(parts[b]) - cost(parts[a]) })
	return order
}

// Close stops the Fitter's helper goroutines. A Fitter still works after
// Close, on the calling goroutine alone; one that is dropped without Close
// stops its helpers when it is garbage collected.
func (f *Fitter) Close() { f.pool.close() }

// Refine fits the CLNF model to a BGR frame starting from 68 landmarks
// ([x0..x67, y0..y67]) and overwrites them with the fitted ones. The start
// is OpenFace's PDM CalcParams of the landmarks; the fit is CLNF::Fit, then
// (when enabled) the part-model fits and a final CalcParams of the merged
// points, as CLNF::DetectLandmarks does. converged reports that the
// main fit's final NU-RLMS stage stopped because the shape had settled; a
// face too small to fit leaves the landmarks untouched and returns false.
func (f *Fitter) Refine(img *bgr.Image, landmarks []float64) (converged bool, err error) {
	if len(landmarks) != pdm.LandmarksLen {
		return false, fmt.Errorf("refine needs %d landmark values, got %d", pdm.LandmarksLen, len(landmarks))
	}
	p, _, err := f.calc.CalcParams(landmarks)
	if err != nil {
		return false, fmt.Errorf("refine: %w", err)
	}
	return f.RefineFrom(img, landmarks, p)
}

// RefineFrom is Refine for a caller that already has the PDM CalcParams
// of the landmarks, start.
func (f *Fitter) RefineFrom(img *bgr.Image, landmarks []float64, start pdm.Params) (converged bool, err error) {
	f.eyesPlaced = false
	if len(landmarks) != pdm.LandmarksLen {
		return false, fmt.Errorf("refine needs %d landmark values, got %d", pdm.LandmarksLen, len(landmarks))
	}
	if img == nil || img.W <= 0 || img.H <= 0 || len(img.Pix) != 3*img.W*img.H {
		return false, errors.New("refine needs a non-empty BGR image")
	}
	f.main.setParams(start)
	f.gray.setFrame(img)
	defer f.gray.release()
	if !f.main.fit() {
		// The eyes are placed from the untouched landmarks, for gaze.
		if err := f.fitParts(landmarks, f.main.global[0], f.eyes); err != nil {
			return false, fmt.Errorf("refine: %w", err)
		}
		f.eyesPlaced = len(f.eyes) > 0
		return false, nil
	}
	f.main.project(f.out[:])
	if err := f.refineParts(); err != nil {
		return false, fmt.Errorf("refine: %w", err)
	}
	for _, v := range f.out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false, errors.New("refine: the fit diverged")
		}
	}
	f.eyesPlaced = len(f.eyes) > 0
	copy(landmarks, f.out[:])
	return f.main.lastStopped, nil
}

// startFrom sets the main model's parameters by PDM CalcParams of landmarks.
func (f *Fitter) startFrom(landmarks []float64) error {
	p, _, err := f.calc.CalcParams(landmarks)
	if err != nil {
		return err
	}
	f.main.setParams(p)
	return nil
}

// setParams sets the fit's global and local parameters.
func (f *partFitter) setParams(p pdm.Params) {
	f.global = [6]float64{p.Scale, p.Rx, p.Ry, p.Rz, p.Tx, p.Ty}
	copy(f.local, p.Local[:])
}

// refineParts fits the part models from the main fit's points, merges the
// parts' points back in model order and re-fits the 68-point PDM to the
// result (the hierarchical step of CLNF::DetectLandmarks). When no part
// could be fitted at the face's scale, the main fit's points stand.
func (f *Fitter) refineParts() error {
	if err := f.fitParts(f.out[:], f.main.global[0], f.parts); err != nil {
		return err
	}
	if len(f.active) == 0 {
		return nil
	}
	for _, pf := range f.parts {
		n := pf.model.shape.n
		for _, p := range pf.part.mapping {
			f.out[p[0]] = pf.shape[p[1]]
			f.out[p[0]+pdm.NumPoints] = pf.shape[p[1]+n]
		}
	}
	if err := f.startFrom(f.out[:]); err != nil {
		return err
	}
	f.main.project(f.out[:])
	return nil
}

// fitParts starts each of parts from its mapped points of landmarks with
// CalcParams. Those the face's scale allows (no upsampling of the image) it
// then fits to the frame, side by side, and lists in f.active; the others
// keep the CalcParams shape, as OpenFace's do.
func (f *Fitter) fitParts(landmarks []float64, scale float64, parts []*partFitter) error {
	f.start, f.active = landmarks, f.active[:0]
	for _, i := range f.partOrder {
		pf := f.parts[i]
		pf.used = slices.Contains(parts, pf) && scale > partMinScale*pf.model.scales[0].scaling
		if pf.used {
			f.active = append(f.active, i)
		}
	}
	if len(f.active) > 0 {
		f.pool.run(len(f.active), f.fitPart)
	}
	for _, pf := range parts {
		if !pf.used {
			pf.err = pf.placeFrom(landmarks)
		}
		if pf.err != nil {
			return fmt.Errorf("part %s: %w", pf.part.name, pf.err)
		}
	}
	return nil
}

// fitActivePart fits the k-th active part on the calling goroutine, with
// its buffers s, from the landmarks fitParts was given.
func (f *Fitter) fitActivePart(k int, s *patchScratch) {
	pf := f.parts[f.active[k]]
	pf.alone = s
	if pf.err = pf.placeFrom(f.start); pf.err == nil {
		pf.fit()
		pf.project(pf.shape)
	}
	pf.alone = nil
}

// placeFrom fits the part's parameters to its mapped points of the 68
// landmarks (the others unknown) with CalcParams and leaves its 2-D shape
// in f.shape.
func (f *partFitter) placeFrom(landmarks []float64) error {
	n := f.model.shape.n
	clear(f.target)
	for _, p := range f.part.mapping {
		f.target[p[1]] = landmarks[p[0]]
		f.target[p[1]+n] = landmarks[p[0]+pdm.NumPoints]
	}
	if err := f.calcParams(); err != nil {
		return err
	}
	f.project(f.shape)
	return nil
}

// partFitter is the fitting state of one part model.
type partFitter struct {
	model    *partModel
	settings partSettings
	pool     *workPool
	gray     *grayFrame // the frame being fitted, shared by the parts
	part     *part      // nil for the 68-point model
	used     bool       // the part ran on the current frame
	err      error      // the part's fit failed on the current frame

	// job is the responses being computed and respond the pool's task for
	// it; alone, when set, holds the buffers with which the responses are
	// computed on the calling goroutine instead (the part is itself one
	// of the pool's tasks).
	job     responseJob
	respond func(i int, s *patchScratch)
	alone   *patchScratch

	global                    [6]float64 // scale, rx, ry, rz, tx, ty
	local                     []float64
	shape3D                   []float64
	shape, prev, base, target []float64
	jac                       []float64 // 2n × (6+m)
	jacT, weightedJacT        []float64 // (6+m) × 2n: Jᵀ and JᵀW
	weightedShift             []float64 // W·meanShift
	weights                   []float64
	meanShift                 []float64
	hess, chol                []float64
	rhs, step                 []float64
	resp                      [][]float32
	kde                       map[int][]float32
	imgToRef, refToImg        [2][2]float64
	lastStopped               bool
}

// responseJob is one part model's responses at one scale.
type responseJob struct {
	scale, viewIdx, window int
	a1, b1                 float32 // the reference-to-image similarity's first row
}

// newPartFitter validates the settings against the model; strict demands
// sigma components for every window (a part, like OpenFace, falls back to
// Σ = (2Σα)⁻¹·I when its file has none for a window).
func newPartFitter(m *partModel, s partSettings, strict bool) (*partFitter, error) {
	if len(s.windows) > len(m.scales) {
		return nil, fmt.Errorf("%d window sizes for %d patch scales", len(s.windows), len(m.scales))
	}
	for _, w := range s.windows {
		if w == 0 {
			continue
		}
		if w < 1 || w > maxWindow || w%2 == 0 {
			return nil, fmt.Errorf("window size %d must be odd and in 1..%d", w, maxWindow)
		}
		if err := m.checkWindow(w); err != nil && strict {
			return nil, err
		}
	}
	n, numP := m.shape.n, 6+m.shape.m
	f := &partFitter{
		model: m, settings: s,
		local: make([]float64, m.shape.m), shape3D: make([]float64, 3*n),
		shape: make([]float64, 2*n), prev: make([]float64, 2*n), base: make([]float64, 2*n), target: make([]float64, 2*n),
		jac: make([]float64, 2*n*numP), jacT: make([]float64, 2*n*numP), weightedJacT: make([]float64, 2*n*numP),
		weightedShift: make([]float64, 2*n), weights: make([]float64, n), meanShift: make([]float64, 2*n),
		hess: make([]float64, numP*numP), chol: make([]float64, numP*numP),
		rhs: make([]float64, numP), step: make([]float64, numP),
		resp: make([][]float32, n), kde: map[int][]float32{},
	}
	for i := range f.resp {
		f.resp[i] = make([]float32, roundUp8(maxWindow*maxWindow))
	}
	return f, nil
}

// fit runs CLNF::Fit: per scale, patch responses around the current shape,
// then a rigid and a non-rigid NU-RLMS stage. It reports false when the face
// is too small to fit.
func (f *partFitter) fit() bool {
	for scale, window := range f.settings.windows {
		if window == 0 {
			continue
		}
		se := f.model.scales[scale]
		viewIdx := se.viewIndex(f.global[1], f.global[2], f.global[3])
		f.responses(scale, viewIdx, window)
		reg, sigma, weight := f.scaleSettings(scale)
		f.project(f.base)
		f.setWeights(se.experts[viewIdx], weight)
		vis := se.views[viewIdx].visible
		f.nuRLMS(true, vis, window, reg, sigma)
		f.nuRLMS(false, vis, window, reg, sigma)
		if f.global[0] < minScale {
			return false
		}
	}
	return true
}

// scaleSettings adapts regularisation, kernel width and weighting to a patch
// scale as CLNF::Fit does when refine_parameters is on.
func (f *partFitter) scaleSettings(scale int) (reg, sigma, weight float64) {
	s := f.settings
	if !s.adaptToScale {
		return s.reg, s.sigma, s.weight
	}
	lg := math.Log(f.model.scales[min(scale, 2)].scaling/0.25) / math.Log(2)
	reg = float64(float32(s.reg - 15*lg))
	if reg <= 0 {
		reg = 0.001
	}
	sigma = float64(float32(s.sigma + 0.25*lg))
	weight = float64(float32(s.weight + 2*s.weight*lg))
	return reg, sigma, weight
}

// setWeights fills the per-landmark NU-RLMS weights (CLNF::GetWeightMatrix):
// 1 when the weight factor is 0, else factor × patch confidence.
func (f *partFitter) setWeights(experts []patchExpert, weight float64) {
	for i := range f.weights {
		f.weights[i] = 1
		if weight > 0 {
			f.weights[i] = weight * experts[i].confidence
		}
	}
}

// responses computes every visible landmark's patch response map around the
// current shape (Patch_experts::Response), and the similarity transforms
// between the image and the patch scale's reference frame.
func (f *partFitter) responses(scale, viewIdx, window int) {
	se := f.model.scales[scale]
	n := f.model.shape.n
	f.project(f.shape)
	f.alignToReference(se.scaling)
	f.job = responseJob{
		scale: scale, viewIdx: viewIdx, window: window,
		a1: float32(f.refToImg[0][0]), b1: float32(-f.refToImg[0][1]),
	}
	f.gray.ensure(f.sampledRegion())
	if f.alone == nil {
		f.pool.run(n, f.respond)
		return
	}
	for i := range n {
		f.landmarkResponse(i, f.alone)
	}
}

// sampledRegion bounds the image pixels that the current job's
// landmarkResponse calls read.
func (f *partFitter) sampledRegion() rect {
	job := &f.job
	se := f.model.scales[job.scale]
	n := f.model.shape.n
	var region rect
	for i, visible := range se.views[job.viewIdx].visible {
		if !visible {
			continue
		}
		e := &se.experts[job.viewIdx][i]
		aw, ah := job.window+e.width-1, job.window+e.height-1
		region = region.union(sampledRect(float32(f.shape[i]), float32(f.shape[i+n]), job.a1, job.b1, aw, ah))
	}
	return region
}

// landmarkResponse computes landmark i's response map for the current job
// into f.resp[i], with the buffers s.
func (f *partFitter) landmarkResponse(i int, s *patchScratch) {
	job := &f.job
	se := f.model.scales[job.scale]
	if !se.views[job.viewIdx].visible[i] {
		return
	}
	n := f.model.shape.n
	e := &se.experts[job.viewIdx][i]
	aw, ah := job.window+e.width-1, job.window+e.height-1
	area := s.extractArea(f.gray, float32(f.shape[i]), float32(f.shape[i+n]), job.a1, job.b1, aw, ah)
	var sigma []float32
	if len(e.alphas) > 0 {
		sigma = f.model.sigma(job.scale, job.viewIdx, i, job.window)
	}
	s.expertResponse(e, sigma, area, aw, job.window, f.resp[i])
}

// alignToReference sets imgToRef to the similarity (scale and rotation) that
// best maps the image shape onto the model's shape drawn at the patch scale
// (AlignShapesWithScale), and refToImg to its inverse.
func (f *partFitter) alignToReference(scaling float64) {
	n := f.model.shape.n
	f.shape3DFromLocal()
	ref := f.prev // free until the NU-RLMS stages start
	for i := range n {
		ref[i] = float64(float32(scaling * f.shape3D[i]))
		ref[i+n] = float64(float32(scaling * f.shape3D[i+n]))
	}
	mix, miy := meanOf(f.shape[:n]), meanOf(f.shape[n:])
	mrx, mry := meanOf(ref[:n]), meanOf(ref[n:])
	var ssI, ssR, dotP, crossP float64
	for i := range n {
		ix, iy := f.shape[i]-mix, f.shape[i+n]-miy
		rx, ry := ref[i]-mrx, ref[i+n]-mry
		ssI += ix*ix + iy*iy
		ssR += rx*rx + ry*ry
		dotP += ix*rx + iy*ry
		crossP += ix*ry - iy*rx
	}
	s := math.Sqrt(ssR / ssI)
	h := math.Hypot(dotP, crossP)
	c, sn := dotP/h, crossP/h
	f.imgToRef = [2][2]float64{{s * c, -s * sn}, {s * sn, s * c}}
	f.refToImg = [2][2]float64{{c / s, sn / s}, {-sn / s, c / s}}
}

func meanOf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// shape3DFromLocal sets shape3D = mean + comps·local.
func (f *partFitter) shape3DFromLocal() {
	sm := f.model.shape
	for r := range f.shape3D {
		f.shape3D[r] = sm.mean[r] + linalg.Dot(sm.comps[r*sm.m:(r+1)*sm.m], f.local)
	}
}

// project writes the current parameters' 2-D shape (PDM::CalcShape2D) into out.
func (f *partFitter) project(out []float64) {
	f.shape3DFromLocal()
	f.projectShape3D(out)
}

// projectShape3D writes the weak-perspective projection of shape3D into out.
func (f *partFitter) projectShape3D(out []float64) {
	n := f.model.shape.n
	r := pdm.EulerToRotation(f.global[1], f.global[2], f.global[3])
	s := f.global[0]
	for i := range n {
		x, y, z := f.shape3D[i], f.shape3D[i+n], f.shape3D[i+2*n]
		out[i] = s*(r[0][0]*x+r[0][1]*y+r[0][2]*z) + f.global[4]
		out[i+n] = s*(r[1][0]*x+r[1][1]*y+r[1][2]*z) + f.global[5]
	}
}
