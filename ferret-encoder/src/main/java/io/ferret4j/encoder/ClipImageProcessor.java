package io.ferret4j.encoder;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import ai.djl.modality.cv.Image;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ferret's image preprocessing ({@code CLIPImageProcessor_GIT.preprocess(img, do_resize=True,
 * do_center_crop=False, size=[S, S])}), reproducing the reference's {@code pixel_values} bit for bit:
 * <ol>
 *   <li>convert to 8-bit RGB as Pillow's {@code convert("RGB")} ({@link RgbImage#of(BufferedImage)});</li>
 *   <li>squash to {@code S x S} with Pillow's fixed-point bicubic resampler (no centre crop, aspect ratio
 *       not kept);</li>
 *   <li>rescale, {@code float(double(v) * rescale_factor)};</li>
 *   <li>normalise per channel in float, {@code (r - float(mean)) / float(std)};</li>
 *   <li>lay out as {@code [1, 3, S, S]} FLOAT, channels R, G, B.</li>
 * </ol>
 * EXIF orientation is <b>not</b> applied, because the reference ({@code PIL.Image.open(...).convert("RGB")})
 * does not apply it either: a photo stored sideways with an orientation tag is encoded sideways.
 *
 * <p>Of the config's switches, {@code do_rescale} and {@code do_normalize} are honoured; {@code do_center_crop}
 * is overridden to false and the resize always happens (a no-op at {@code S x S}), as Ferret calls it; RGB
 * conversion always happens, since the tower takes three channels.
 *
 * <p>Images must be at least 2x2 and at most {@link #MAX_PIXELS} pixels.
 */
public final class ClipImageProcessor {
    /** Largest accepted image, in pixels (100 megapixels, e.g. 10000x10000); checked before decoding. */
    public static final long MAX_PIXELS = 100_000_000L;

    private final int side;
    private final boolean doRescale;
    private final double rescaleFactor;
    private final boolean doNormalize;
    private final float[] mean = new float[3];
    private final float[] std = new float[3];

    /** A processor with the given settings; the output side is {@link ClipPreprocessorConfig#squareSide()}. */
    public ClipImageProcessor(ClipPreprocessorConfig config) {
        config.validate();
        this.side = config.squareSide();
        this.doRescale = config.doRescale();
        this.rescaleFactor = config.rescaleFactor();
        this.doNormalize = config.doNormalize();
        for (int c = 0; c < 3; c++) {
            mean[c] = config.imageMean().get(c).floatValue();     // numpy casts mean/std to the image's float32
            std[c] = config.imageStd().get(c).floatValue();
        }
    }

    /** Reads {@code preprocessor_config.json} from a model folder (or that file itself). */
    public static ClipImageProcessor load(Path folderOrFile) {
        return new ClipImageProcessor(ClipPreprocessorConfig.fromJson(folderOrFile));
    }

    /** The side {@code S} of the square model input. */
    public int imageSize() {
        return side;
    }

    /** {@code pixel_values [1, 3, S, S]} for an image file (decoded with {@code javax.imageio}). */
    public INDArray preprocess(Path imageFile) {
        return preprocess(ImageFiles.read(imageFile));
    }

    /** {@code pixel_values [1, 3, S, S]} for a DJL image backed by a {@link BufferedImage}. */
    public INDArray preprocess(Image image) {
        Object wrapped = image.getWrappedImage();
        if (!(wrapped instanceof BufferedImage buffered)) {
            throw new IllegalArgumentException("DJL image wraps a " + wrapped.getClass().getName()
                    + ", expected a java.awt.image.BufferedImage (use BufferedImageFactory)");
        }
        return preprocess(buffered);
    }

    /** {@code pixel_values [1, 3, S, S]} for a decoded image. */
    public INDArray preprocess(BufferedImage image) {
        return pixelValues(resize(image));
    }

    /** {@code pixel_values [B, 3, S, S]} for several images, in order. */
    public INDArray preprocess(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images given");
        }
        INDArray[] each = images.stream().map(this::preprocess).toArray(INDArray[]::new);
        return each.length == 1 ? each[0] : Nd4j.concat(0, each);
    }

    /** Steps 1-2: the 8-bit RGB image after conversion and the {@code S x S} bicubic resize. */
    public RgbImage resize(BufferedImage image) {
        checkSize(image.getWidth(), image.getHeight());
        return resize(RgbImage.of(image));
    }

    /** Step 2 alone: the Pillow bicubic resize of an RGB image to {@code S x S}. */
    public RgbImage resize(RgbImage image) {
        checkSize(image.width(), image.height());
        return PillowResize.bicubic(image, side, side);
    }

    /** Steps 3-5 on an image already of size {@code S x S}: {@code [1, 3, S, S]} FLOAT. */
    public INDArray pixelValues(RgbImage resized) {
        if (resized.width() != side || resized.height() != side) {
            throw new IllegalArgumentException("image is " + resized.width() + "x" + resized.height()
                    + ", expected " + side + "x" + side + " (resize it first)");
        }
        byte[] hwc = resized.hwc();
        int plane = side * side;
        float[] chw = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                int v = hwc[i * 3 + c] & 0xff;
                float r = doRescale ? (float) (v * rescaleFactor) : v;       // uint8 * Python float is float64
                chw[c * plane + i] = doNormalize ? (r - mean[c]) / std[c] : r;
            }
        }
        return Nd4j.create(chw, new long[] {1, 3, side, side}, 'c');
    }

    /** Refuses images smaller than 2x2 or larger than {@link #MAX_PIXELS}, naming the size. */
    static void checkSize(int width, int height) {
        if (width < 2 || height < 2) {
            throw new IllegalArgumentException("image is " + width + "x" + height
                    + " pixels; at least 2x2 is needed");
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("image is " + width + "x" + height + " = " + (long) width * height
                    + " pixels, more than the limit of " + MAX_PIXELS);
        }
    }
}
