package io.ferret4j.examples.eval;

/**
 * Intersection over union of {@code [x1, y1, x2, y2]} boxes, with the arithmetic of each reference scorer: refexp
 * goes through torch in float32, Flickr through numpy in float64. Neither normalises corner order, so a reversed box
 * has a positive area and no intersection; a zero union gives NaN, which is never a hit.
 */
final class BoxIou {
    private BoxIou() {
    }

    /**
     * torch's {@code box_iou} on a float32 prediction and the target: every operation rounds to float32.
     *
     * @param target     the target corners as float32
     * @param targetArea the target's area as float32 ({@code box_area} of the target tensor, which is int64 and then
     *                   converted when the target's coordinates are all integers)
     */
    static float float32(float[] box, float[] target, float targetArea) {
        float area = (box[2] - box[0]) * (box[3] - box[1]);
        float w = Math.max(Math.min(box[2], target[2]) - Math.max(box[0], target[0]), 0f);
        float h = Math.max(Math.min(box[3], target[3]) - Math.max(box[1], target[1]), 0f);
        float inter = w * h;
        float union = area + targetArea - inter;
        return inter / union;
    }

    /** numpy's {@code box_iou} on integer (or the fallback all-zero) boxes: exact, then one float64 division. */
    static double float64(double[] box, double[] target) {
        double area = (box[2] - box[0]) * (box[3] - box[1]);
        double targetArea = (target[2] - target[0]) * (target[3] - target[1]);
        double w = Math.max(Math.min(box[2], target[2]) - Math.max(box[0], target[0]), 0);
        double h = Math.max(Math.min(box[3], target[3]) - Math.max(box[1], target[1]), 0);
        double inter = w * h;
        return inter / (area + targetArea - inter);
    }
}
