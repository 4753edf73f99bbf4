/**
 * Ferret's image side: {@link io.ferret4j.encoder.ClipImageProcessor} turns an image into CLIP
 * {@code pixel_values} exactly as the Python reference does (Pillow's RGB conversion and fixed-point bicubic
 * resize, then rescale and normalise), and {@link io.ferret4j.encoder.ClipVisionTower} runs the CLIP ViT encoder
 * on ND4J up to Ferret's selected hidden state. Classes follow HF {@code modeling_clip.py} one to one
 * ({@code ClipVisionEmbeddings}, {@code ClipAttention}, {@code ClipMlp}, {@code ClipEncoderLayer}) and load from
 * the HF checkpoint keys under {@code vision_model.}.
 */
package io.ferret4j.encoder;
