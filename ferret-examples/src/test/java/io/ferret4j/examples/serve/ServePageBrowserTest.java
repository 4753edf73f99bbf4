package io.ferret4j.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page of {@code ferret serve} in headless Chromium, against the real server on the golden tiny checkpoint: a
 * photo opened through the file input; a box, a point and a free-form region drawn with the mouse and the parts
 * they become; a question with its region chip; the streamed answer (the same as the whole answer); the
 * conversation going on about the same photo; the answer's boxes drawn over the photo and highlighted from their
 * phrase; and the API key asked for when the server wants one.
 */
final class ServePageBrowserTest {
    private static final Path PHOTO = Goldens.path("clip/images/bathroom.jpg");
    /** The golden refer case's box, in pixels of the 615×446 photo. */
    private static final int[] BOX = {331, 59, 597, 321};
    /** Wide enough that the photo is shown at its own size: one CSS pixel per image pixel. */
    private static final int WINDOW_WIDTH = 1400;
    private static final int WINDOW_HEIGHT = 900;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path profile;

    private static GoldenServer server;
    private static String base;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        server = GoldenServer.start(ServeLimits.defaults(), Optional.empty());
        base = server.uri("").toString();
        chromium = HeadlessChromium.start(profile, WINDOW_WIDTH, WINDOW_HEIGHT);
        browser = chromium.driver();
    }

    @AfterAll
    static void stop() {
        try (GoldenServer s = server) {
            if (chromium != null) {
                chromium.close();
            }
        }
    }

    @BeforeEach
    void openThePhoto() {
        browser.get(base + "/");
        browser.executeScript(resource("record-chat-requests.js"));
        waitUntil(ExpectedConditions.textToBe(By.id("server-status"), "ready"), Duration.ofSeconds(30));
        assertThat(browser.findElement(By.id("model-name")).getText()).isEqualTo("ferret-golden-tiny");
        assertThat(browser.findElement(By.id("demo-banner")).isDisplayed()).as("the golden checkpoint is no demo").isFalse();
        browser.findElement(By.id("photo-input")).sendKeys(PHOTO.toAbsolutePath().toString());
        waitUntil(ExpectedConditions.attributeToBe(By.id("stage"), "data-empty", "false"), Duration.ofSeconds(10));
        assertThat(browser.findElement(By.id("photo-size")).getText()).contains("615×446");
    }

    @Test
    void asksAboutABoxDrawnWithTheMouseAndGoesOnAboutTheSamePhoto() throws IOException {
        chooseTool("box");
        drag(BOX[0], BOX[1], BOX[2], BOX[3]);
        WebElement chip = browser.findElement(By.cssSelector("[data-region-chip='1'] .chip"));
        assertThat(chip.getAttribute("aria-label")).isEqualTo("Put region 1 (box) in the question");

        WebElement question = browser.findElement(By.id("question"));
        question.clear();
        question.sendKeys("Is the object ");
        chip.click();
        question.sendKeys("of the image a sink or a mirror?");
        assertThat(question.getDomProperty("value")).isEqualTo("Is the object <region1> of the image a sink or a mirror?");
        String first = ask(1);

        JsonNode firstRequest = chatRequests().get(0);
        assertThat(firstRequest.get("stream").asBoolean()).isTrue();
        JsonNode firstUser = firstRequest.get("messages").get(0);
        assertThat(firstUser.get("role").asText()).isEqualTo("user");
        JsonNode parts = firstUser.get("content");
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0).get("image_url").get("url").asText()).startsWith("data:image/png;base64,");
        assertThat(parts.get(1).get("text").asText()).isEqualTo("Is the object <region> of the image a sink or a mirror?");
        assertDrawnBox(parts.get(2));
        assertThat(first).isNotBlank().isEqualTo(unstreamedAnswer(firstRequest));

        question.sendKeys("And what is beside ");
        chip.click();
        question.sendKeys("?");
        ask(2);
        JsonNode messages = chatRequests().get(1).get("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0)).as("the first question, with its photo and region").isEqualTo(firstUser);
        assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).get("content").asText()).isEqualTo(first);
        JsonNode again = messages.get(2).get("content");
        assertThat(again).as("the photo is sent once").hasSize(2);
        assertThat(again.get(0).get("text").asText()).isEqualTo("And what is beside <region> ?");
        assertDrawnBox(again.get(1));

        Files.createDirectories(Path.of("target"));
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target/serve-page.png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void sendsAPointAndAFreeFormMaskThenDrawsTheAnswersBoxesAndHighlightsOneWhenItsPhraseIsHovered()
            throws IOException {
        browser.executeScript("window.ferretTest.groundingsFor = answer => [{phrase: answer.trim().split(/\\s+/)[0],"
                + " box: [120, 200, 300, 420], box_1000: [195, 449, 488, 943]}]");
        chooseTool("point");
        new Actions(browser).moveToElement(overlay(), offsetX(60), offsetY(80)).click().perform();
        chooseTool("lasso");
        Actions lasso = new Actions(browser).moveToElement(overlay(), offsetX(400), offsetY(250)).clickAndHold();
        for (int[] corner : new int[][] {{550, 250}, {550, 400}, {400, 400}}) {
            lasso.moveToElement(overlay(), offsetX(corner[0]), offsetY(corner[1]));
        }
        lasso.release().perform();
        WebElement question = browser.findElement(By.id("question"));
        assertThat(question.getDomProperty("value")).isEqualTo("<region1> <region2> ");
        question.clear();
        question.sendKeys("What is between <region1> and <region2>?");
        String answer = ask(1);

        JsonNode parts = chatRequests().get(0).get("messages").get(0).get("content");
        assertThat(parts.get(1).get("text").asText()).isEqualTo("What is between <region> and <region>?");
        JsonNode point = parts.get(2).get("region").get("point");
        assertThat(point.get(0).asInt()).isCloseTo(60, within(1));
        assertThat(point.get(1).asInt()).isCloseTo(80, within(1));
        BufferedImage mask = dataUrlImage(parts.get(3).get("region").get("mask").asText());
        assertThat(mask.getWidth()).isEqualTo(615);
        assertThat(mask.getHeight()).isEqualTo(446);
        assertThat(mask.getRaster().getSample(475, 325, 3)).as("inside the line drawn").isEqualTo(255);
        assertThat(mask.getRaster().getSample(300, 325, 3)).as("outside it").isZero();

        String phrase = answer.trim().split("\\s+")[0];
        WebElement group = browser.findElement(By.cssSelector("#answer-boxes [data-grounding='1-0']"));
        WebElement box = group.findElement(By.tagName("rect"));
        assertThat(box.getAttribute("x")).isEqualTo("120");
        assertThat(box.getAttribute("y")).isEqualTo("200");
        assertThat(box.getAttribute("width")).isEqualTo("181");
        assertThat(box.getAttribute("height")).isEqualTo("221");
        assertThat(group.findElement(By.tagName("text")).getText()).isEqualTo(phrase);
        WebElement mark = browser.findElement(By.cssSelector("mark[data-phrase='1-0']"));
        assertThat(mark.getText()).isEqualTo(phrase);
        new Actions(browser).moveToElement(mark).perform();
        assertThat(group.getAttribute("class")).isEqualTo("hot");
        new Actions(browser).moveToElement(question).perform();
        assertThat(group.getAttribute("class")).isEmpty();

        browser.findElement(By.id("clear")).click();
        assertThat(browser.findElements(By.cssSelector("#conversation li, #region-chips li, #answer-boxes *"))).isEmpty();
    }

    @Test
    void asksForTheApiKeyWhenTheServerWantsOneUntilItIsRight() {
        try (GoldenServer locked = GoldenServer.start(ServeLimits.defaults(), Optional.of("open sesame"))) {
            browser.get(locked.uri("/").toString());
            By dialogAsking = By.cssSelector("#key-dialog[open]");
            waitUntil(ExpectedConditions.visibilityOfElementLocated(dialogAsking), Duration.ofSeconds(10));
            assertThat(browser.findElement(By.id("key-title")).getText()).contains("missing or wrong API key");
            WebElement key = browser.findElement(By.id("api-key"));
            key.sendKeys("open says me");
            browser.findElement(By.id("key-ok")).click();
            waitUntil(driver -> driver.findElement(By.id("api-key")).getDomProperty("value").isEmpty()
                    && !driver.findElements(dialogAsking).isEmpty(), Duration.ofSeconds(10));

            key.sendKeys("open sesame");
            browser.findElement(By.id("key-ok")).click();
            waitUntil(ExpectedConditions.textToBe(By.id("server-status"), "ready"), Duration.ofSeconds(10));
            assertThat(browser.findElement(By.id("model-name")).getText()).isEqualTo("ferret-golden-tiny");
            assertThat(browser.findElements(dialogAsking)).isEmpty();
        }
    }

    /** Sends the question and waits for answer number {@code turn}; returns its text. */
    private static String ask(int turn) {
        browser.findElement(By.id("ask")).click();
        By answer = By.cssSelector("li.assistant[data-turn='" + turn + "']");
        waitUntil(driver -> !"streaming".equals(driver.findElement(answer).getAttribute("data-state")), ANSWER_TIMEOUT);
        assertThat(browser.findElement(answer).getAttribute("data-state"))
                .as("error shown: %s", browser.findElement(By.id("error")).getText()).isEqualTo("done");
        return (String) browser.executeScript("return arguments[0].querySelector('.answer').textContent",
                browser.findElement(answer));
    }

    private static void chooseTool(String tool) {
        browser.findElement(By.cssSelector("input[name='tool'][value='" + tool + "']")).click();
    }

    /** Drags the mouse over the photo from one image pixel to another. */
    private static void drag(int x1, int y1, int x2, int y2) {
        new Actions(browser)
                .moveToElement(overlay(), offsetX(x1), offsetY(y1)).clickAndHold()
                .moveToElement(overlay(), offsetX((x1 + x2) / 2), offsetY((y1 + y2) / 2))
                .moveToElement(overlay(), offsetX(x2), offsetY(y2)).release()
                .perform();
    }

    private static WebElement overlay() {
        return browser.findElement(By.id("overlay"));
    }

    /** Selenium's offsets are from the element's centre; the photo is shown at one CSS pixel per image pixel. */
    private static int offsetX(int x) {
        return x - overlay().getRect().getWidth() / 2;
    }

    private static int offsetY(int y) {
        return y - overlay().getRect().getHeight() / 2;
    }

    /** The region part of the box drawn: the corners land within a pixel of where the mouse was put. */
    private static void assertDrawnBox(JsonNode part) {
        assertThat(part.get("type").asText()).isEqualTo("region");
        JsonNode box = part.get("region").get("box");
        assertThat(box).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(box.get(i).asInt()).as("box[%d]", i).isCloseTo(BOX[i], within(1));
        }
    }

    private static JsonNode chatRequests() throws IOException {
        return JSON.readTree((String) browser.executeScript("return JSON.stringify(window.ferretTest.requests)"));
    }

    /** The server's answer to the same request, not streamed. */
    private static String unstreamedAnswer(JsonNode request) throws IOException {
        ObjectNode body = request.deepCopy();
        body.put("stream", false);
        HttpResponse<String> response = server.post(JSON.writeValueAsString(body), "Content-Type", "application/json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("choices").get(0).get("message").get("content").asText();
    }

    private static <T> void waitUntil(Function<? super WebDriver, T> condition, Duration timeout) {
        new WebDriverWait(browser, timeout).until(condition);
    }

    private static BufferedImage dataUrlImage(String url) throws IOException {
        String prefix = "data:image/png;base64,";
        assertThat(url).startsWith(prefix);
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(url.substring(prefix.length()))));
    }

    private static String resource(String name) {
        try (InputStream in = ServePageBrowserTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
