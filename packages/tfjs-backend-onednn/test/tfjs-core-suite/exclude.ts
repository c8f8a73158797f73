// Specs of the tfjs-core suite that do not run against 'onednn', each with a one-line reason.
//
// `spec` is matched as a substring of the spec's full name (describe names + it name, as jasmine
// prints it, e.g. "avgPool onednn {} gradient x=[3,3,1] f=[2,2] s=2 p=same"). Only exclude specs
// that encode behaviour we deliberately do not copy (wrong semantics) or that do not test a
// backend; a spec that fails because a native kernel is wrong must stay in and fail.

export interface SpecExclude {
  spec: string;
  reason: string;
}

export const SPEC_EXCLUDES: SpecExclude[] = [
  {
    spec: 'avgPool onednn {} gradient x=[3,3,1] f=[3,3] s=1 p=explicit',
    reason: 'expects tfjs AvgPoolGrad dividing by the full window (0,1,1,0,2,2,0,3,3) although the forward ' +
        'excludes padding; the true gradient (finite differences, TensorFlow) is 0,1.75,1.75,0,4,4,0,9.25,9.25',
  },
];
