package io.ferret4j.examples.batch;

import java.util.List;

/**
 * Twenty tasks on two photos ({@code photos/bathroom.jpg} 615×446, {@code photos/kitchen.png} 750×901) and a mask
 * of the bathroom photo ({@code photos/sink-mask.png}): every kind and region form, some with their own
 * generation settings, and two bad ones (a missing image, a box of three numbers).
 */
final class TwentyTasks {
    static final List<String> LINES = List.of(
            "{\"id\":\"refer-box\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"box\":[300,120,480,260]}]}",
            "{\"id\":\"refer-point\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"point\":[350,200]}]}",
            "{\"id\":\"refer-polygon\",\"task\":\"refer\",\"image\":\"photos/kitchen.png\",\"regions\":[{\"polygon\":[10,10,200,20,100,250]}]}",
            "{\"id\":\"refer-mask\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"mask\":\"photos/sink-mask.png\"}]}",
            "{\"id\":\"no-image\",\"task\":\"refer\",\"image\":\"photos/missing.jpg\",\"regions\":[{\"box\":[1,2,3,4]}]}",
            "{\"id\":\"refer-question\",\"task\":\"refer\",\"image\":\"photos/kitchen.png\",\"regions\":[{\"box\":[50,60,400,500]}],\"prompt\":\"What is the object <region> used for?\"}",
            "{\"id\":\"ground-tub\",\"task\":\"ground\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"the white bathtub\"}",
            "{\"id\":\"ground-oven\",\"task\":\"ground\",\"image\":\"photos/kitchen.png\",\"prompt\":\"the oven, on the left\"}",
            "{\"id\":\"ask-two\",\"task\":\"ask\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"Is <region> next to <region>?\",\"regions\":[{\"point\":[100,300]},{\"box\":[300,120,480,260]}]}",
            "{\"id\":\"ask-free\",\"task\":\"ask\",\"image\":\"photos/kitchen.png\",\"prompt\":\"What is in the image?\"}",
            "{\"id\":\"refer-short\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"box\":[10,10,100,100]}],\"max_new_tokens\":2}",
            "{\"id\":\"ask-sampled\",\"task\":\"ask\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"Describe <region>.\",\"regions\":[{\"box\":[0,0,614,445]}],\"temperature\":0.8,\"top_p\":0.9,\"seed\":7}",
            "{\"id\":\"ground-sampled\",\"task\":\"ground\",\"image\":\"photos/kitchen.png\",\"prompt\":\"the sink\",\"temperature\":1.0,\"seed\":3}",
            "{\"id\":\"refer-corner\",\"task\":\"refer\",\"image\":\"photos/kitchen.png\",\"regions\":[{\"point\":[749,900]}]}",
            "{\"id\":\"bad-box\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"box\":[10,20,30]}]}",
            "{\"id\":\"ask-mask\",\"task\":\"ask\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"What is <region> made of?\",\"regions\":[{\"mask\":\"photos/sink-mask.png\"}]}",
            "{\"id\":\"refer-whole\",\"task\":\"refer\",\"image\":\"photos/kitchen.png\",\"regions\":[{\"box\":[0,0,749,900]}]}",
            "{\"id\":\"ground-long\",\"task\":\"ground\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"the mirror\",\"max_new_tokens\":10}",
            "{\"id\":\"ask-three\",\"task\":\"ask\",\"image\":\"photos/kitchen.png\",\"prompt\":\"Compare <region>, <region> and <region>.\",\"regions\":[{\"point\":[5,5]},{\"box\":[100,100,300,300]},{\"polygon\":[400,400,700,420,500,880]}]}",
            "{\"id\":\"refer-origin\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"point\":[0,0]}]}");

    static final List<String> IDS = List.of("refer-box", "refer-point", "refer-polygon", "refer-mask", "no-image",
            "refer-question", "ground-tub", "ground-oven", "ask-two", "ask-free", "refer-short", "ask-sampled",
            "ground-sampled", "refer-corner", "bad-box", "ask-mask", "refer-whole", "ground-long", "ask-three",
            "refer-origin");

    private TwentyTasks() {
    }
}
