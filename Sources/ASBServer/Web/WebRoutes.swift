import Foundation
import Leaf
import LeafKit
import Vapor

/// Where the templates and static files are: copied into the module's bundle, so the server
/// finds them whatever directory it is started from.
enum WebResources {
    static var root: URL {
        guard let url = Bundle.module.url(forResource: "Site", withExtension: nil) else {
            fatalError("The web resources are missing from the build")
        }
        return url
    }

    static var viewsDirectory: String { root.appendingPathComponent("Views").path + "/" }
    static var publicDirectory: String { root.appendingPathComponent("Public").path + "/" }
}

extension Application {
    /// Leaf, the public session (for the report form and tracking) and static files.
    func configureWeb() {
        // Leaf's own provider turns its template cache off in Vapor's development environment, the
        // default when `asb serve` runs without `--env`: every page then read and parsed its
        // templates again (a third of a case page's time). The templates are resources built into
        // the binary and never change while it runs, so they are parsed once, in any environment.
        views.use { app in
            var userInfo = app.leaf.userInfo
            userInfo["application"] = app
            return LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache,
                                sources: app.leaf.sources, eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
        }
        leaf.configuration = LeafConfiguration(rootDirectory: WebResources.viewsDirectory)
        // The bundle sits under `.build/`, which the default limits refuse as a hidden directory;
        // templates are still confined to the views directory.
        leaf.sources = .singleSource(NIOLeafFiles(fileio: fileio, limits: [.toSandbox, .requireExtensions],
                                                  sandboxDirectory: WebResources.viewsDirectory,
                                                  viewDirectory: WebResources.viewsDirectory))
        sessions.configuration = SessionsConfiguration(cookieName: WebCookies.publicSession) { id in
            HTTPCookies.Value(string: id.string, path: "/", isHTTPOnly: true, sameSite: .lax)
        }
    }

    func registerWebRoutes() throws {
        try routes.grouped(sessions.middleware).register(collection: PublicSite())
        try routes.grouped("staff").register(collection: StaffSite())
        try routes.register(collection: Open311Routes())
    }
}
