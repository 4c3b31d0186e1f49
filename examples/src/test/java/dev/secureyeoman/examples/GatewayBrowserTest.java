package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.ADMIN_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages in headless Chromium (Debian {@code chromium} + {@code chromium-driver}; {@code .ci/run} installs them).
 * Screenshots go to {@code target/screenshots/} (copied into {@code docs/images/} for docs/gateway.md).
 */
class GatewayBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir Path tmp;
  private GatewayFixture f;
  private WebDriver driver;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    // fail, not skip: a missing browser must not turn into a green build that tested nothing
    assertTrue(Files.isExecutable(CHROMIUM), "install Debian's chromium (apt-get install -y chromium chromium-driver)");
    assertTrue(Files.isExecutable(CHROMEDRIVER), "install Debian's chromium-driver");
    Files.createDirectories(SHOTS);
  }

  private void open(String config) throws Exception {
    f = new GatewayFixture(tmp, config);
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1280,800", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chrome-profile")));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, o);
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (f != null) {
      f.close();
    }
  }

  private void shot(String name) throws Exception {
    File png = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private WebElement visible(String id) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
  }

  private void type(String id, String text) {
    WebElement e = visible(id);
    e.clear();
    e.sendKeys(text);
  }

  private void signIn(String user, String password) {
    driver.get(f.base() + "/login");
    type("username", user);
    type("password", password);
    driver.findElement(By.id("login-submit")).click();
  }

  @Test
  void loginPage_signsIn_rememberMeStaysTickedAcrossReloads() throws Exception {
    open(GatewayFixture.DEFAULT_CONFIG);
    driver.get(f.base() + "/login");
    WebElement remember = visible("remember-me");
    assertFalse(remember.isSelected());
    shot("login");
    remember.click();
    driver.navigate().refresh();
    assertTrue(visible("remember-me").isSelected(), "the checkbox state is kept in localStorage");
    assertEquals("true", ((ChromeDriver) driver).executeScript("return localStorage.getItem('sy.rememberMe')"));
    driver.navigate().refresh();
    assertTrue(visible("remember-me").isSelected());

    type("username", "admin");
    type("password", "wrong password");
    driver.findElement(By.id("login-submit")).click();
    assertEquals("invalid credentials", visible("error").getText());

    type("password", ADMIN_PASSWORD);
    driver.findElement(By.id("login-submit")).click();
    assertEquals("admin", visible("who").getText());
    assertFalse(driver.findElement(By.id("session-warning")).isDisplayed(), "remembered: no timeout warning");
    shot("signed-in");
    // the refresh token is HttpOnly: page script cannot see it
    assertEquals("", ((ChromeDriver) driver).executeScript("return document.cookie"));
  }

  @Test
  void sessionTimeoutWarning_shownForShortSessions_skippedWhenRemembered() throws Exception {
    open(
        "security:\n  auth: { access_token_ttl: PT1M, session_ttl: PT4M, remember_me_ttl: PT4M,"
            + " login_rate_limit: { capacity: 1000, refill_period: PT1M } }\n");
    signIn("admin", ADMIN_PASSWORD);
    WebElement warning = visible("session-warning");
    assertTrue(warning.getText().startsWith("Your session ends at"), warning.getText());
    shot("session-warning");
    driver.findElement(By.id("logout")).click();
    visible("login-form");
    visible("remember-me").click();
    type("username", "admin");
    type("password", ADMIN_PASSWORD);
    driver.findElement(By.id("login-submit")).click();
    visible("signed-in");
    assertFalse(driver.findElement(By.id("session-warning")).isDisplayed(), "a remembered session skips the warning");
  }

  @Test
  void twoFactorPage_qrDecodesToTheOtpauthUri_totpFromTheTestCompletesALogin() throws Exception {
    open(GatewayFixture.DEFAULT_CONFIG);
    signIn("admin", ADMIN_PASSWORD);
    visible("signed-in");
    driver.get(f.base() + "/2fa");
    type("setup-password", ADMIN_PASSWORD);
    visible("setup-start").click();
    WebElement qr = visible("qr");
    wait.until(d -> Boolean.TRUE.equals(((ChromeDriver) d).executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", qr)));
    shot("2fa-setup");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(qr.getScreenshotAs(OutputType.BYTES)));
    String uri =
        new MultiFormatReader()
            .decode(
                new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))),
                Map.of(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE), DecodeHintType.TRY_HARDER, true))
            .getText();
    assertTrue(uri.startsWith("otpauth://totp/SecureYeoman:admin?"), uri);
    Matcher m = Pattern.compile("[?&]secret=([A-Z2-7]+)").matcher(uri);
    assertTrue(m.find(), uri);
    String secret = m.group(1);
    assertEquals(secret, driver.findElement(By.id("manual-key")).getText().replace(" ", ""));

    type("enable-code", f.totp(secret));
    driver.findElement(By.id("enable-submit")).click();
    visible("recovery");
    List<WebElement> codes = driver.findElements(By.cssSelector("#recovery-codes li"));
    assertEquals(10, codes.size());
    shot("2fa-recovery-codes");

    driver.get(f.base() + "/login");
    visible("logout").click();
    type("username", "admin");
    type("password", ADMIN_PASSWORD);
    driver.findElement(By.id("login-submit")).click();
    visible("mfa-form");
    shot("login-mfa");
    f.clock.advance(Duration.ofSeconds(30)); // the enrolment code's time step is spent
    type("mfa-code", f.totp(secret));
    driver.findElement(By.id("mfa-submit")).click();
    assertEquals("admin", visible("who").getText());
  }

  @Test
  void resetPasswordPage_changesThePassword_oldOneRefused() throws Exception {
    open(GatewayFixture.DEFAULT_CONFIG);
    signIn("admin", ADMIN_PASSWORD);
    visible("signed-in");
    driver.get(f.base() + "/reset-password");
    visible("reset-form");
    shot("reset-password");
    String next = "the admin's next passphrase, thirty-two characters+";
    type("current-password", ADMIN_PASSWORD);
    type("new-password", next);
    type("confirm-password", next);
    driver.findElement(By.id("reset-submit")).click();
    assertTrue(visible("message").getText().startsWith("Password changed"));
    signIn("admin", ADMIN_PASSWORD);
    assertEquals("invalid credentials", visible("error").getText());
    type("password", next);
    driver.findElement(By.id("login-submit")).click();
    assertEquals("admin", visible("who").getText());
  }
}
