package io.ferret4j.examples.serve;

import java.util.Base64;
import java.util.Locale;

/**
 * The bytes of a {@code data:<type>;base64,<payload>} URL. The server never fetches a URL: an {@code http(s)} URL
 * is refused with a message saying to send the bytes.
 */
final class DataUrl {
    private static final int SHOWN = 40;

    private DataUrl() {
    }

    /**
     * Decodes {@code url}.
     *
     * @param param the request field holding it, named in errors
     * @throws ApiException 400 for another scheme, a missing {@code ;base64,} or invalid base64
     */
    static byte[] decode(String url, String param) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            throw ApiException.invalid(param, param + " is the URL '" + shorten(url) + "': this server never fetches "
                    + "URLs; send the image bytes as a data URL (data:image/png;base64,...)");
        }
        if (!lower.startsWith("data:")) {
            throw ApiException.invalid(param, param + " must be a data URL (data:image/png;base64,...), got '"
                    + shorten(url) + "'");
        }
        int comma = url.indexOf(',');
        if (comma < 0 || !lower.substring(0, comma).endsWith(";base64")) {
            throw ApiException.invalid(param, param + " must be a base64 data URL (data:<type>;base64,<bytes>), got '"
                    + shorten(url) + "'");
        }
        try {
            return Base64.getDecoder().decode(url.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, param + " is not valid base64: " + e.getMessage());
        }
    }

    private static String shorten(String url) {
        return url.length() <= SHOWN ? url : url.substring(0, SHOWN) + "...";
    }
}
