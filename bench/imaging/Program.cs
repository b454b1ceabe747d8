// Imaging benchmark harness: 24 MP JPEG -> 960 px wide WebP (q80), NetVips vs SkiaSharp.
//
//   ImagingBench generate <path>                      make the 6000x4000 q90 test JPEG (NetVips)
//   ImagingBench run <variant> <input> [iters] [warmup] [outdir]
//                                                     time one variant in this process; prints one RESULT line
//   ImagingBench verify <workdir>                     metadata (EXIF/XMP/IPTC/ICC) + EXIF orientation checks
//   ImagingBench info                                 library versions, libvips concurrency
//   ImagingBench png <in> <out.png>                   convert any image to PNG (to eyeball outputs)
//
// Variants: baseline, netvips-init, skia-init (fixed cost of loading the library), netvips-thumbnail, netvips-decode-all, skia-scaled, skia-full.
// Each "run" is meant to be its own process so that VmHWM (peak RSS) is per variant.

using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using NetVips;
using SkiaSharp;
using VipsImage = NetVips.Image;

namespace ImagingBench;

internal static class Program
{
    private const int TargetWidth = 960;
    private const int Quality = 80;

    private static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: ImagingBench generate|run|verify|info ...");
            return 2;
        }

        return args[0] switch
        {
            "generate" when args.Length >= 2 => Generate(args[1]),
            "run" when args.Length >= 3 => Run(
                args[1],
                args[2],
                args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5,
                args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1,
                args.Length > 5 ? args[5] : null),
            "verify" when args.Length >= 2 => Verify.RunAll(args[1]),
            "info" => Info(),
            "png" when args.Length >= 3 => ToPng(args[1], args[2]),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("bad arguments; see the header of Program.cs");
        return 2;
    }

    // ---------------------------------------------------------------- setup

    internal static void ConfigureVips()
    {
        // No operation cache: every iteration really decodes the file again.
        Cache.Max = 0;
        // Concurrency is left at the libvips default (number of cores unless VIPS_CONCURRENCY is set).
    }

    private static int Info()
    {
        ConfigureVips();
        Console.WriteLine($"libvips={NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}");
        Console.WriteLine($"netvips={AssemblyVersion(typeof(VipsImage).Assembly)}");
        Console.WriteLine($"vips_concurrency={NetVips.NetVips.Concurrency}");
        Console.WriteLine($"vips_cache_max={Cache.Max}");
        Console.WriteLine($"skiasharp={AssemblyVersion(typeof(SKBitmap).Assembly)}");
        using (var bmp = new SKBitmap(1, 1))
        {
            // Forces libSkiaSharp.so to load.
            Console.WriteLine($"skia_native_loaded={bmp.Width == 1}");
        }
        Console.WriteLine($"dotnet={Environment.Version}");
        return 0;
    }

    private static int ToPng(string input, string output)
    {
        using var img = VipsImage.NewFromFile(input);
        img.Pngsave(output);
        return 0;
    }

    private static string AssemblyVersion(Assembly a) =>
        a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? a.GetName().Version?.ToString() ?? "?";

    // ---------------------------------------------------------------- generate

    private static int Generate(string path)
    {
        ConfigureVips();
        const int w = 6000, h = 4000;
        // Photo-like content: diagonal gradients, a low-frequency wave pattern, a soft vignette, and multi-scale
        // Gaussian noise (fine sensor grain + coarser "texture" at 1/4 and 1/16 resolution, upsampled) so that detail
        // survives the downscale and the 960 px WebP has a realistic size, not a few KB of flat gradient.
        using var xy = VipsImage.Xyz(w, h);
        using var x = xy[0];
        using var y = xy[1];
        using var xn = x / (double)w;
        using var yn = y / (double)h;
        using var wave = ((x / 310.0).Math(Enums.OperationMath.Sin) * (y / 170.0).Math(Enums.OperationMath.Cos)) * 40.0;
        using var cx = xn - 0.5;
        using var cy = yn - 0.5;
        using var vignette = 1.0 - ((cx * cx + cy * cy) * 1.2);
        using var r = ((xn * 150.0) + 60.0 + wave) * vignette;
        using var g = ((yn * 120.0) + 70.0 - (wave * 0.5)) * vignette;
        using var b = ((1.0 - xn) * 90.0 + (yn * 90.0) + 40.0) * vignette;
        using var rgb = r.Bandjoin(g, b);
        using var noise = Noise3(w, h, 1, 6.0, 42) + Noise3(w, h, 4, 14.0, 52) + Noise3(w, h, 16, 18.0, 62);
        using var sum = rgb + noise;
        using var u8 = sum.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
        u8.Jpegsave(path, q: 90, keep: Enums.ForeignKeep.None);
        Console.WriteLine($"generated {path} {w}x{h} q90 {new FileInfo(path).Length} bytes");
        return 0;
    }

    /// <summary>Three-band Gaussian noise generated at 1/<paramref name="scale"/> resolution and upsampled (bicubic).</summary>
    private static VipsImage Noise3(int w, int h, int scale, double sigma, int seed)
    {
        int sw = w / scale, sh = h / scale;
        var n = VipsImage.Gaussnoise(sw, sh, sigma: sigma, mean: 0.0, seed: seed)
            .Bandjoin(VipsImage.Gaussnoise(sw, sh, sigma: sigma, mean: 0.0, seed: seed + 1),
                      VipsImage.Gaussnoise(sw, sh, sigma: sigma, mean: 0.0, seed: seed + 2));
        return scale == 1 ? n : n.Resize(scale, kernel: Enums.Kernel.Cubic).Crop(0, 0, w, h);
    }

    // ---------------------------------------------------------------- conversions

    internal static byte[] NetVipsThumbnail(string path, int targetWidth = TargetWidth)
    {
        // Thumbnail(path, width) alone fits inside a width x width box; a huge height makes it "width = 960".
        // Shrink-on-load (libjpeg DCT scaling) and EXIF autorotation happen inside thumbnail.
        using var thumb = VipsImage.Thumbnail(path, targetWidth, height: 10_000_000);
        return thumb.WebpsaveBuffer(q: Quality, keep: Enums.ForeignKeep.Icc);
    }

    internal static byte[] NetVipsDecodeAll(string path, int targetWidth = TargetWidth)
    {
        using var img = VipsImage.NewFromFile(path, access: Enums.Access.Sequential);
        using var upright = img.Autorot(); // no-op copy for orientation 1
        using var resized = upright.Resize((double)targetWidth / upright.Width); // lanczos3 default
        return resized.WebpsaveBuffer(q: Quality, keep: Enums.ForeignKeep.Icc);
    }

    internal static byte[] SkiaScaled(string path, int targetWidth = TargetWidth) => Skia(path, targetWidth, useCodecScaling: true);

    internal static byte[] SkiaFull(string path, int targetWidth = TargetWidth) => Skia(path, targetWidth, useCodecScaling: false);

    private static byte[] Skia(string path, int targetWidth, bool useCodecScaling)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidOperationException($"SKCodec.Create failed for {path}");
        var origin = codec.EncodedOrigin;
        bool swap = SwapsAxes(origin);
        var full = codec.Info;
        // Width/height as displayed (after orientation).
        int dispW = swap ? full.Height : full.Width;
        int dispH = swap ? full.Width : full.Height;
        int outW = targetWidth;
        int outH = Math.Max(1, (int)Math.Round((double)dispH * targetWidth / dispW));
        // Resize in stored orientation, rotate the small result afterwards (cheaper).
        int storedOutW = swap ? outH : outW;
        int storedOutH = swap ? outW : outH;

        SKSizeI decodeSize = new(full.Width, full.Height);
        if (useCodecScaling)
        {
            // Smallest size the codec can produce natively (JPEG: n/8 DCT scaling) that is still >= the target.
            for (int n = 1; n <= 8; n++)
            {
                var s = codec.GetScaledDimensions(n / 8f);
                if (s.Width >= storedOutW && s.Height >= storedOutH && s.Width < decodeSize.Width)
                {
                    decodeSize = s;
                    break;
                }
            }
        }

        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKImageInfo.PlatformColorType,
            SKAlphaType.Premul, full.ColorSpace);
        using var decoded = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            throw new InvalidOperationException($"SKCodec.GetPixels: {result}");
        }

        // Ratio ~0.64 after DCT scaling: Mitchell cubic is right. Ratio ~0.16 from full size: cubic alone would
        // alias (it only looks at 4x4 source pixels), so use trilinear mipmaps there.
        var sampling = useCodecScaling
            ? new SKSamplingOptions(SKCubicResampler.Mitchell)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        var resizedInfo = decodeInfo.WithSize(storedOutW, storedOutH);
        using var resized = decoded.Resize(resizedInfo, sampling)
            ?? throw new InvalidOperationException("SKBitmap.Resize returned null");

        using var upright = Orient(resized, origin);
        using var pixmap = (upright ?? resized).PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, Quality))
            ?? throw new InvalidOperationException("WebP encode returned null");
        return data.ToArray();
    }

    internal static bool SwapsAxes(SKEncodedOrigin o) =>
        o is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Applies an EXIF orientation; returns null when nothing needs doing.</summary>
    internal static SKBitmap? Orient(SKBitmap src, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
        {
            return null;
        }

        int w = src.Width, h = src.Height;
        bool swap = SwapsAxes(origin);
        var dst = new SKBitmap(src.Info.WithSize(swap ? h : w, swap ? w : h));
        using var canvas = new SKCanvas(dst);
        switch (origin)
        {
            case SKEncodedOrigin.TopRight: // mirror horizontal
                canvas.Translate(w, 0); canvas.Scale(-1, 1); break;
            case SKEncodedOrigin.BottomRight: // rotate 180
                canvas.Translate(w, h); canvas.RotateDegrees(180); break;
            case SKEncodedOrigin.BottomLeft: // mirror vertical
                canvas.Translate(0, h); canvas.Scale(1, -1); break;
            case SKEncodedOrigin.LeftTop: // transpose
                canvas.Scale(-1, 1); canvas.RotateDegrees(90); break;
            case SKEncodedOrigin.RightTop: // rotate 90 CW
                canvas.Translate(h, 0); canvas.RotateDegrees(90); break;
            case SKEncodedOrigin.RightBottom: // transverse
                canvas.Translate(h, w); canvas.Scale(-1, 1); canvas.RotateDegrees(-90); break;
            case SKEncodedOrigin.LeftBottom: // rotate 90 CCW
                canvas.Translate(0, w); canvas.RotateDegrees(-90); break;
        }

        canvas.DrawBitmap(src, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), null);
        canvas.Flush();
        return dst;
    }

    // ---------------------------------------------------------------- run

    private static int Run(string variant, string input, int iterations, int warmup, string? outDir)
    {
        Func<string, byte[]> convert;
        string setup;
        switch (variant)
        {
            case "baseline":
                convert = _ => [];
                setup = "runtime only, no imaging library loaded";
                break;
            case "netvips-init":
                ConfigureVips();
                convert = _ => { using var one = VipsImage.Black(1, 1); return []; };
                setup = "libvips loaded and initialised, no conversion (fixed cost)";
                break;
            case "skia-init":
                convert = _ => { using var one = new SKBitmap(1, 1); return []; };
                setup = "libSkiaSharp loaded, no conversion (fixed cost)";
                break;
            case "netvips-thumbnail":
                ConfigureVips();
                convert = p => NetVipsThumbnail(p);
                setup = $"Image.Thumbnail (shrink-on-load) + WebpsaveBuffer; cache max={Cache.Max}, concurrency={NetVips.NetVips.Concurrency}";
                break;
            case "netvips-decode-all":
                ConfigureVips();
                convert = p => NetVipsDecodeAll(p);
                setup = $"NewFromFile(sequential) + Resize(lanczos3) + WebpsaveBuffer; cache max={Cache.Max}, concurrency={NetVips.NetVips.Concurrency}";
                break;
            case "skia-scaled":
                convert = p => SkiaScaled(p);
                setup = "SKCodec n/8 scaled decode + Resize(Mitchell) + SKPixmap.Encode(WebP); single-threaded";
                break;
            case "skia-full":
                convert = p => SkiaFull(p);
                setup = "SKCodec full decode + Resize(linear+mipmap) + SKPixmap.Encode(WebP); single-threaded";
                break;
            default:
                Console.Error.WriteLine($"unknown variant {variant}");
                return 2;
        }

        byte[] output = [];
        for (int i = 0; i < warmup; i++)
        {
            output = convert(input);
        }

        var times = new double[iterations];
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        var cpuStart = proc.TotalProcessorTime;
        for (int i = 0; i < iterations; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            output = convert(input);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        proc.Refresh();
        double cpuMsPerOp = (proc.TotalProcessorTime - cpuStart).TotalMilliseconds / Math.Max(1, iterations);

        string dims = "-";
        if (output.Length > 0)
        {
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllBytes(Path.Combine(outDir, variant + ".webp"), output);
            }

            dims = WebpDims(output);
        }

        Array.Sort(times);
        double median = iterations % 2 == 1 ? times[iterations / 2] : (times[iterations / 2 - 1] + times[iterations / 2]) / 2;
        long hwmKb = ProcStatusKb("VmHWM");
        // One machine-readable line; run.sh parses it.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT\t{variant}\t{median:F1}\t{(iterations > 0 ? times[0] : 0):F1}\t{(iterations > 0 ? times[^1] : 0):F1}\t{cpuMsPerOp:F1}\t{hwmKb / 1024.0:F1}\t{output.Length}\t{dims}\t{setup}"));
        return 0;
    }

    internal static long ProcStatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>Width x height from the WebP header, via libvips' header-only load would load vips; parse it here.</summary>
    internal static string WebpDims(byte[] webp)
    {
        foreach (var (fourcc, offset, _) in WebpChunks(webp))
        {
            var d = webp.AsSpan(offset);
            switch (fourcc)
            {
                case "VP8X":
                    return $"{1 + (d[4] | d[5] << 8 | d[6] << 16)}x{1 + (d[7] | d[8] << 8 | d[9] << 16)}";
                case "VP8 ":
                    return $"{(d[6] | d[7] << 8) & 0x3fff}x{(d[8] | d[9] << 8) & 0x3fff}";
                case "VP8L":
                    int bits = d[1] | d[2] << 8 | d[3] << 16 | d[4] << 24;
                    return $"{(bits & 0x3fff) + 1}x{((bits >> 14) & 0x3fff) + 1}";
            }
        }

        return "?";
    }

    internal static IEnumerable<(string FourCc, int Offset, int Size)> WebpChunks(byte[] webp)
    {
        if (webp.Length < 12 || Encoding.ASCII.GetString(webp, 0, 4) != "RIFF" || Encoding.ASCII.GetString(webp, 8, 4) != "WEBP")
        {
            yield break;
        }

        int pos = 12;
        while (pos + 8 <= webp.Length)
        {
            string cc = Encoding.ASCII.GetString(webp, pos, 4);
            int size = BitConverter.ToInt32(webp, pos + 4);
            yield return (cc, pos + 8, size);
            pos += 8 + size + (size & 1);
        }
    }
}
